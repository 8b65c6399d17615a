"""The same-model Python peer: the duration-consumer's model (models/duration/model.onnx) on onnxruntime, micro-batched,
features vectorised over the batch with the training package's own code, on Kafka with confluent-kafka-python.

    .venv/bin/python peer_onnx.py --brokers B --input T --output T --group G --model models/duration/model.onnx
    .venv/bin/python peer_onnx.py --model models/duration/model.onnx --check-golden GOLDEN.jsonl

What a good data engineer would write to serve the shipped model from Python: poll up to --batch records, json.loads
each, keep the `ride.started` events (the others are skipped and counted, as the consumer does), one pandas frame per
batch, `ridestream_training.features.duration_features` (the vectorised training path, so the columns are the ones the
model was trained and checked on), one `session.run` per batch with the consumer's session options, produce one
prediction per ride keyed by ride id, wait for the acks (flush), commit synchronously. It does not validate the
contract, dead-letter or hash prediction ids, which the consumer does.

--check-golden: builds the features of every golden ride's `ride.started` through the same code the loop uses and
compares them (exactly) with the file's duration features, the ones the TypeScript consumer is tested against, and
the model's output with the file's expected predictions; exit 1 naming the first ride that differs.

Runs until SIGTERM/SIGINT or --max-seconds. Prints JSON lines on stdout: {"event": "assigned"} once it owns
partitions, {"event": "done", "processed": n, "skipped": m} at exit.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
# The training package is run from its folder, not installed (training/pyproject.toml); features.py needs only
# numpy and pandas, both pinned here at training's versions.
sys.path.insert(0, str(REPO_ROOT / "training"))
from ridestream_training.features import DURATION_FEATURES, duration_features  # noqa: E402

STARTED = "ride.started"
# The columns duration_features reads from an event frame (training/ridestream_training/events.py names them).
STARTED_FIELDS = (
    "rideId",
    "eventId",
    "occurredAt",
    "vendorId",
    "puLocationId",
    "doLocationId",
    "plannedDistance",
    "passengerCount",
)
running = True


def stop(_signum, _frame):
    global running
    running = False


def say(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


class Model:
    """One onnxruntime session with libs/model's options (1 intra-op and 1 inter-op thread, all optimisations)."""

    def __init__(self, path: str):
        card = json.loads(Path(path).with_name("model.json").read_text())
        if tuple(card["featureNames"]) != DURATION_FEATURES:
            raise SystemExit(f"{path}: card features {card['featureNames']} are not {DURATION_FEATURES}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.name = card["registeredModelName"]
        self.version = str(card["version"])

    def predict(self, features: np.ndarray) -> np.ndarray:
        return self.session.run(["prediction"], {"features": features})[0].reshape(-1)


def started_frame(events: list[dict]) -> pd.DataFrame:
    """The event frame duration_features expects: one row per ride.started, `occurredAt` tz-aware."""
    frame = pd.DataFrame.from_records(events, columns=STARTED_FIELDS)
    # Offsets differ across DST (-05:00 / -04:00): parsed to UTC, duration_features converts to New York itself.
    frame["occurredAt"] = pd.to_datetime(frame["occurredAt"], utc=True, format="ISO8601")
    frame["passengerCount"] = frame["passengerCount"].astype("float64")
    return frame


def features_of(events: list[dict]) -> np.ndarray:
    return duration_features(started_frame(events))


def prediction_message(model: Model, event: dict, value: float, scored_at: str) -> str:
    # The consumer's Prediction shape (libs/features/src/prediction.ts) minus its sha256 prediction id.
    return json.dumps(
        {
            "schemaVersion": 2,
            "kind": "duration",
            "unit": "minutes",
            "rideId": event["rideId"],
            "event": {"type": STARTED, "id": event["eventId"]},
            "model": {"name": model.name, "version": model.version},
            "value": value,
            "eventTime": event["occurredAt"],
            "scoredAt": scored_at,
        }
    )


def check_golden(model: Model, golden: str) -> None:
    rows = [json.loads(line) for line in Path(golden).read_text().splitlines() if line.strip()]
    events = [r["events"]["started"] for r in rows]
    got = features_of(events)
    want = np.array([r["features"]["duration"] for r in rows], dtype=np.float32)
    for i, r in enumerate(rows):
        if not np.array_equal(got[i], want[i]):
            cols = [DURATION_FEATURES[j] for j in np.flatnonzero(got[i] != want[i])]
            raise SystemExit(f"golden ride {r['rideId']}: {cols} differ: {got[i].tolist()} != {want[i].tolist()}")
    predictions = model.predict(got)
    checked = 0
    for i, r in enumerate(rows):
        expected = r.get("expected", {}).get("duration")
        if expected is None:
            continue
        checked += 1
        if abs(float(predictions[i]) - expected) > 1e-4:  # the tolerance of libs/model's golden test
            raise SystemExit(f"golden ride {r['rideId']}: prediction {predictions[i]} != expected {expected}")
    say("golden", rides=len(rows), predictions=checked)


def serve(args: argparse.Namespace, model: Model) -> None:
    from confluent_kafka import Consumer, Producer

    consumer = Consumer(
        {
            "bootstrap.servers": args.brokers,
            "group.id": args.group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    # librdkafka's defaults (linger 5 ms, batching) with acks=all, as ridestream's idempotent producer.
    producer = Producer({"bootstrap.servers": args.brokers, "acks": "all", "linger.ms": 5})
    consumer.subscribe([args.input], on_assign=lambda _c, parts: say("assigned", partitions=len(parts)))
    deadline = time.monotonic() + args.max_seconds
    processed = skipped = 0

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
        msgs = consumer.consume(num_messages=args.batch, timeout=0.2)
        if not msgs:
            continue
        events = [json.loads(m.value()) for m in msgs if not m.error()]
        started = [e for e in events if e.get("type") == STARTED]
        skipped += len(events) - len(started)
        if started:
            predictions = model.predict(features_of(started)).tolist()
            scored_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            for event, value in zip(started, predictions, strict=True):
                produce(event["rideId"], prediction_message(model, event, value, scored_at))
            producer.flush(30)
        consumer.commit(asynchronous=False)
        processed += len(started)

    producer.flush(10)
    consumer.close()
    say("done", processed=processed, skipped=skipped)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--check-golden")
    p.add_argument("--brokers")
    p.add_argument("--input")
    p.add_argument("--output")
    p.add_argument("--group")
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--max-seconds", type=float, default=600)
    args = p.parse_args()
    model = Model(args.model)
    if args.check_golden:
        check_golden(model, args.check_golden)
        return
    missing = [f"--{k}" for k in ("brokers", "input", "output", "group") if not getattr(args, k)]
    if missing:
        p.error(f"serving needs {', '.join(missing)}")
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    serve(args, model)


if __name__ == "__main__":
    main()
