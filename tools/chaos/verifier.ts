import { scoreEvents } from '@ridestream/batch';
import type { PredictionKind, RideEvent } from '@ridestream/features';
import type { Model } from '@ridestream/model';
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface ConsumerReport {
  readonly consumer: string;
  /** Distinct rides on the input topic. */
  readonly ridesIn: number;
  /** Prediction messages a read_committed reader sees. */
  readonly predictionsOut: number;
  /** In, but never out. */
  readonly lost: number;
  /** Predictions beyond the first for a ride. */
  readonly duplicates: number;
  /** Rides whose streamed value differs from offline scoring by more than 1e-4. */
  readonly mismatches: number;
}

/** Reads a whole topic (read_committed, kafkajs' default) until no new message arrives for `idleMs`. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  until: (values: readonly string[]) => boolean,
  idleMs = 10_000,
  timeoutMs = 600_000,
): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `chaos-verifier-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const values: string[] = [];
  let last = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) values.push(String(m.value));
        last = Date.now();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!(until(values) && Date.now() - last > 2_000) && Date.now() - last < idleMs && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    // A short grace for any duplicate still in flight after coverage.
    return values;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Compares what went in with what came out of one consumer, and the values with offline scoring. `rides` are the
 * events the consumer scores (one per ride: its `ride.started` or its `ride.completed`).
 */
export async function verify(
  consumer: string,
  kind: PredictionKind,
  rides: readonly RideEvent[],
  predictionValues: readonly string[],
  model: Pick<Model, 'predict'>,
): Promise<ConsumerReport> {
  const offline = await scoreEvents(model, kind, rides);
  const expected = new Map(rides.map((r, i) => [r.rideId, offline[i]!]));
  const seen = new Map<string, number>();
  let mismatches = 0;
  for (const v of predictionValues) {
    const p = JSON.parse(v) as { rideId: string; value: number };
    if (!expected.has(p.rideId)) continue;
    const n = (seen.get(p.rideId) ?? 0) + 1;
    seen.set(p.rideId, n);
    if (n === 1 && Math.abs(p.value - expected.get(p.rideId)!) > 1e-4) mismatches++;
  }
  const out = [...seen.values()].reduce((a, b) => a + b, 0);
  return {
    consumer,
    ridesIn: expected.size,
    predictionsOut: out,
    lost: [...expected.keys()].filter((id) => !seen.has(id)).length,
    duplicates: out - seen.size,
    mismatches,
  };
}
