"""The Python peer: the course's streaming logic (mlops-zoomcamp, module 4) on Kafka with confluent-kafka-python.

    .venv/bin/python peer.py --brokers B --input T --output T --group G --model M --mode record|batch

Both score `ride.started` (the event the course's duration model answers) and skip the ride's other events.

record: what the course's lambda does per event: json.loads, prepare_features (PU_DO + trip_distance), the sklearn
        model's predict on one record, produce one prediction. Offsets: auto-commit (the client's default).
batch:  the same code, micro-batched the way ridestream works: consume up to --batch records, one
        DictVectorizer.transform + predict per batch, produce them, wait for the acks (flush), commit synchronously.

Runs until SIGTERM/SIGINT or --max-seconds. Prints JSON lines on stdout: {"event": "assigned"} once it owns
partitions, {"event": "done", "processed": n} at exit.
"""

import argparse
import json
import pickle
import signal
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer

MODEL_NAME = "ride_duration_prediction_model"
MODEL_VERSION = "course-linear-1"
STARTED = "ride.started"
running = True


def stop(_signum, _frame):
    global running
    running = False


def say(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def prepare_features(ride: dict) -> dict:
    return {"PU_DO": "%s_%s" % (ride["puLocationId"], ride["doLocationId"]), "trip_distance": ride["plannedDistance"]}


def prediction_event(ride_id: str, duration: float) -> str:
    return json.dumps(
        {
            "model": MODEL_NAME,
            "version": MODEL_VERSION,
            "prediction": {"ride_duration": duration, "ride_id": ride_id},
        }
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--brokers", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--group", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--mode", choices=["record", "batch"], required=True)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--max-seconds", type=float, default=600)
    args = p.parse_args()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    with open(args.model, "rb") as f_in:
        dv, model = pickle.load(f_in)

    def predict(features: dict) -> float:
        X = dv.transform(features)
        return float(model.predict(X)[0])

    per_record = args.mode == "record"
    consumer = Consumer(
        {
            "bootstrap.servers": args.brokers,
            "group.id": args.group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": per_record,
        }
    )
    # librdkafka's defaults (linger 5 ms, batching) with acks=all, as ridestream's idempotent producer.
    producer = Producer({"bootstrap.servers": args.brokers, "acks": "all", "linger.ms": 5})
    consumer.subscribe([args.input], on_assign=lambda _c, parts: say("assigned", partitions=len(parts)))
    deadline = time.monotonic() + args.max_seconds
    processed = 0

    def produce(key: str, value: str) -> None:
        # A full local queue means the broker is behind: serve delivery reports until there is room (bounded).
        for _ in range(1000):
            try:
                producer.produce(args.output, key=key, value=value)
                return
            except BufferError:
                producer.poll(0.01)
        raise RuntimeError("producer queue stayed full for 10 s")

    while running and time.monotonic() < deadline:
        if per_record:
            msg = consumer.poll(0.2)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    print(f"consumer error: {msg.error()}", file=sys.stderr)
                continue
            ride = json.loads(msg.value())
            if ride.get("type") != STARTED:
                continue
            features = prepare_features(ride)
            pred = predict(features)
            produce(ride["rideId"], prediction_event(ride["rideId"], pred))
            producer.poll(0)
            processed += 1
        else:
            msgs = consumer.consume(num_messages=args.batch, timeout=0.2)
            if not msgs:
                continue
            events = [json.loads(m.value()) for m in msgs if not m.error()]
            rides = [e for e in events if e.get("type") == STARTED]
            if rides:
                X = dv.transform([prepare_features(r) for r in rides])
                preds = model.predict(X)
                for ride, pred in zip(rides, preds):
                    produce(ride["rideId"], prediction_event(ride["rideId"], float(pred)))
                producer.flush(30)
            consumer.commit(asynchronous=False)
            processed += len(rides)

    producer.flush(10)
    consumer.close()
    say("done", processed=processed)


if __name__ == "__main__":
    main()
