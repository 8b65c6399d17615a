/**
 * What a prediction stream must hold beyond "every ride is there" (which the wait that precedes these checks,
 * `waitForAll`, already guarantees): each prediction belongs to an event that was sent and carries that event's ids
 * and time, the model that made it, and repeats only as the delivery contract allows. Every problem names its ride.
 */
import type { Prediction, RideEvent } from '@ridestream/features';
import { DLQ_HEADERS } from '@ridestream/stream-core';
import type { KafkaMessage } from 'kafkajs';
import { expect } from 'vitest';

export interface PredictionContract {
  /**
   * `none`: exactly one prediction per event (a graceful stop, exactly-once, steady state). A number: at-least-once,
   * at most that many rides predicted more than once (the work redone after a crash), each repeat identical.
   */
  readonly repeats: 'none' | number;
  /** The model every prediction must name (its registry name and version). */
  readonly model?: { readonly name: string; readonly version: string };
}

/** How many problems are listed before the rest are only counted. */
const LISTED = 20;

/**
 * Checks `predictions` against the `events` that were scored (one per ride); returns one line per problem, each
 * naming the ride, empty when all is well.
 */
export function predictionProblems(
  predictions: readonly Prediction[],
  events: readonly RideEvent[],
  contract: PredictionContract,
): string[] {
  const byRide = new Map(events.map((e) => [e.rideId, e]));
  const seen = new Map<string, Prediction[]>();
  const problems: string[] = [];
  for (const p of predictions) {
    const e = byRide.get(p.rideId);
    if (!e) {
      problems.push(`ride ${p.rideId}: predicted (event ${p.event.id}) but never sent`);
      continue;
    }
    if (p.event.id !== e.eventId || p.event.type !== e.type)
      problems.push(
        `ride ${p.rideId}: prediction for event ${p.event.type} ${p.event.id}, sent ${e.type} ${e.eventId}`,
      );
    if (p.eventTime !== e.occurredAt)
      problems.push(`ride ${p.rideId}: eventTime ${p.eventTime}, the event occurred at ${e.occurredAt}`);
    if (contract.model && (p.model.name !== contract.model.name || p.model.version !== contract.model.version))
      problems.push(
        `ride ${p.rideId}: scored by ${p.model.name}@${p.model.version}, expected ${contract.model.name}@${contract.model.version}`,
      );
    seen.set(p.rideId, [...(seen.get(p.rideId) ?? []), p]);
  }
  const repeated = [...seen].filter(([, ps]) => ps.length > 1);
  if (contract.repeats === 'none')
    for (const [ride, ps] of repeated) problems.push(`ride ${ride}: ${ps.length} predictions, exactly one expected`);
  else {
    if (repeated.length > contract.repeats)
      problems.push(
        `${repeated.length} rides predicted more than once, at most ${contract.repeats} expected ` +
          `(first: ${repeated
            .slice(0, 5)
            .map(([r]) => r)
            .join(', ')})`,
      );
    // At-least-once redelivers; what it redoes must be the same prediction, or subscribers cannot drop it.
    for (const [ride, [first, ...rest]] of repeated)
      for (const p of rest)
        if (p.predictionId !== first!.predictionId || p.value !== first!.value)
          problems.push(
            `ride ${ride}: repeated as ${p.predictionId}=${p.value}, first ${first!.predictionId}=${first!.value}`,
          );
  }
  return problems.length > LISTED
    ? [...problems.slice(0, LISTED), `... and ${problems.length - LISTED} more problems`]
    : problems;
}

/** Fails with every problem of `predictionProblems`, each naming its ride. */
export function expectPredictions(
  predictions: readonly Prediction[],
  events: readonly RideEvent[],
  contract: PredictionContract,
): void {
  expect(predictionProblems(predictions, events, contract), 'problems in the prediction stream').toEqual([]);
}

/** Dead letters as `key: CODE reason`, for an assertion that lists what went wrong (valid input expects none). */
export const deadLetterLines = (messages: readonly KafkaMessage[]): string[] =>
  messages.map(
    (m) =>
      `${String(m.key)}: ${String(m.headers?.[DLQ_HEADERS.code] ?? '?')} ${String(m.headers?.[DLQ_HEADERS.reason] ?? '')}`,
  );

/**
 * Rides whose streamed value differs from `offline[i]` (the same model run on `events[i]` in-process) by more than
 * `tolerance`, as `ride X: streamed a, offline b`; rides with no prediction are left to the wait that came before.
 */
export function valueProblems(
  predictions: readonly Prediction[],
  events: readonly RideEvent[],
  offline: ArrayLike<number>,
  tolerance = 1e-4,
): string[] {
  const byRide = new Map(predictions.map((p) => [p.rideId, p.value]));
  const problems = events.flatMap((e, i) => {
    const streamed = byRide.get(e.rideId);
    return streamed !== undefined && Math.abs(streamed - offline[i]!) > tolerance
      ? [`ride ${e.rideId}: streamed ${streamed}, offline ${offline[i]}`]
      : [];
  });
  return problems.length > LISTED
    ? [...problems.slice(0, LISTED), `... and ${problems.length - LISTED} more`]
    : problems;
}
