import { scoreEvents } from '@ridestream/batch';
import type { PredictionKind, RideEvent } from '@ridestream/features';
import type { Model } from '@ridestream/model';
import { waitFor } from '@ridestream/testing';
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';

/** How many rides each list of a report names; the counts beside them are complete. */
const NAMED = 20;

export interface ConsumerReport {
  readonly consumer: string;
  /** Distinct rides on the input topic. */
  readonly ridesIn: number;
  /** Prediction messages a read_committed reader sees. */
  readonly predictionsOut: number;
  /** In, but never out. */
  readonly lost: number;
  /**
   * Predictions of a ride beyond the copies of its scored event on the input topic: one prediction per input
   * record is exactly-once, also when the replay sent a ride again.
   */
  readonly duplicates: number;
  /** Input records beyond the first for a ride's scored event (chunks the replay sent again after a failure). */
  readonly resentIn: number;
  /**
   * Rides with a prediction that is not theirs: a value off offline scoring by more than 1e-4, another event's id,
   * or another model version than the one serving.
   */
  readonly mismatches: number;
  /** The first lost rides, by id. */
  readonly lostRides: readonly string[];
  /** The first rides predicted more often than they came in, as `ride: n predictions of m records`. */
  readonly duplicatedRides: readonly string[];
  /** The first mismatches, each naming its ride and what differs. */
  readonly mismatchedRides: readonly string[];
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
    // Complete and then quiet for 2 s (a short grace for any duplicate still in flight), or quiet for `idleMs`:
    // what is still missing then is reported as lost, not waited for.
    const idle = () => Date.now() - last;
    await waitFor(() => (until(values) && idle() > 2_000) || idle() >= idleMs, `${topic} read`, timeoutMs, 250).catch(
      () => undefined,
    );
    return values;
  } finally {
    await consumer.disconnect();
  }
}

interface StreamedPrediction {
  readonly rideId: string;
  readonly value: number;
  readonly event?: { readonly id?: string };
  readonly model?: { readonly version?: string };
}

/**
 * Compares what went in with what came out of one consumer, and the values with offline scoring by `model` (the
 * version that serves). `rides` are the events the consumer scores (one per ride: its `ride.started` or its
 * `ride.completed`); predictions of rides not among them are ignored. `copies` says how many input records hold
 * each of those events (by event id; 1 when absent): a ride sent twice may be predicted twice.
 */
export async function verify(
  consumer: string,
  kind: PredictionKind,
  rides: readonly RideEvent[],
  predictionValues: readonly string[],
  model: Pick<Model, 'predict' | 'info'>,
  copies: ReadonlyMap<string, number> = new Map(),
): Promise<ConsumerReport> {
  const offline = await scoreEvents(model, kind, rides);
  const expected = new Map(rides.map((r, i) => [r.rideId, { event: r, value: offline[i]! }]));
  const seen = new Map<string, number>();
  const mismatched = new Map<string, string>();
  for (const v of predictionValues) {
    const p = JSON.parse(v) as StreamedPrediction;
    const want = expected.get(p.rideId);
    if (!want) continue;
    seen.set(p.rideId, (seen.get(p.rideId) ?? 0) + 1);
    // Every copy is checked: a redelivered prediction that differs is as wrong as a first one.
    const wrong =
      p.event?.id !== want.event.eventId
        ? `prediction for event ${p.event?.id}, sent ${want.event.eventId}`
        : p.model?.version !== model.info.version
          ? `scored by version ${p.model?.version}, serving ${model.info.version}`
          : Math.abs(p.value - want.value) > 1e-4
            ? `streamed ${p.value}, offline ${want.value}`
            : undefined;
    if (wrong && !mismatched.has(p.rideId)) mismatched.set(p.rideId, `ride ${p.rideId}: ${wrong}`);
  }
  const out = [...seen.values()].reduce((a, b) => a + b, 0);
  const lost = [...expected.keys()].filter((id) => !seen.has(id));
  const recordsOf = (rideId: string) => copies.get(expected.get(rideId)!.event.eventId) ?? 1;
  const duplicated = [...seen].filter(([id, n]) => n > recordsOf(id));
  return {
    consumer,
    ridesIn: expected.size,
    predictionsOut: out,
    lost: lost.length,
    duplicates: duplicated.reduce((sum, [id, n]) => sum + n - recordsOf(id), 0),
    resentIn: [...expected.keys()].reduce((sum, id) => sum + recordsOf(id) - 1, 0),
    mismatches: mismatched.size,
    lostRides: lost.slice(0, NAMED),
    duplicatedRides: duplicated
      .slice(0, NAMED)
      .map(([id, n]) => `${id}: ${n} predictions of ${recordsOf(id)} record${recordsOf(id) > 1 ? 's' : ''}`),
    mismatchedRides: [...mismatched.values()].slice(0, NAMED),
  };
}

/**
 * What fails a run, one line per consumer and kind of failure, naming the rides: anything lost or mismatched;
 * in exactly-once any duplicate; in at-least-once duplicates beyond `maxDuplicateShare` of the rides in.
 */
export function failures(
  mode: 'at-least-once' | 'exactly-once',
  report: ConsumerReport,
  maxDuplicateShare = 0.01,
): string[] {
  const named = (list: readonly string[], total: number) =>
    `${list.join(', ')}${total > list.length ? `, ... and ${total - list.length} more` : ''}`;
  const out: string[] = [];
  const c = report.consumer;
  if (report.lost > 0) out.push(`${c}: ${report.lost} rides lost: ${named(report.lostRides, report.lost)}`);
  if (report.mismatches > 0)
    out.push(`${c}: ${report.mismatches} rides mismatched: ${named(report.mismatchedRides, report.mismatches)}`);
  const allowed = mode === 'exactly-once' ? 0 : Math.floor(maxDuplicateShare * report.ridesIn);
  if (report.duplicates > allowed)
    out.push(
      `${c}: ${report.duplicates} duplicate predictions in ${mode} (at most ${allowed}): ` +
        report.duplicatedRides.join(', '),
    );
  return out;
}
