import type { PredictionKind, RideCompleted, RideEvent, RideStarted } from '@ridestream/features';
import type { Model } from '@ridestream/model';
import { predictEvents } from '@ridestream/stream-core';
import { cleanTrips, readTlcFile, type CleanRide } from '@ridestream/tlc';

/** The event of a ride that a kind scores, as the consumers see it: duration at pickup, tip at drop-off. */
export const scoredEventOf = (kind: PredictionKind, ride: CleanRide): RideStarted | RideCompleted =>
  kind === 'duration' ? ride.started : ride.completed;

/**
 * Scores events offline with the consumers' own scoring function (`predictEvents`: same feature specs, same model
 * call), in chunks so that a month never builds one giant tensor. Every event must be of the type the kind scores
 * (`FEATURE_SPECS[kind].eventType`); this is the reference the streaming path is compared against.
 */
export function scoreEvents(
  model: Pick<Model, 'predict'>,
  kind: PredictionKind,
  events: readonly RideEvent[],
  chunk = 8192,
): Promise<Float32Array> {
  return predictEvents({ kind, predict: (f, n) => model.predict(f, n) }, events, chunk);
}

/** Scores each ride on the event its kind scores (duration: `ride.started`, tip: `ride.completed`). */
export const scoreRides = (
  model: Pick<Model, 'predict'>,
  kind: PredictionKind,
  rides: readonly CleanRide[],
  chunk = 8192,
): Promise<Float32Array> =>
  scoreEvents(
    model,
    kind,
    rides.map((r) => scoredEventOf(kind, r)),
    chunk,
  );

export interface RegressionMetrics {
  readonly rmse: number;
  readonly mae: number;
}

export function regressionMetrics(predicted: ArrayLike<number>, actual: ArrayLike<number>): RegressionMetrics {
  if (predicted.length !== actual.length || predicted.length === 0)
    throw new RangeError(`need equal, non-empty arrays (got ${predicted.length} and ${actual.length})`);
  let se = 0;
  let ae = 0;
  for (let i = 0; i < predicted.length; i++) {
    const d = predicted[i]! - actual[i]!;
    se += d * d;
    ae += Math.abs(d);
  }
  return { rmse: Math.sqrt(se / predicted.length), mae: ae / predicted.length };
}

/**
 * The true value a model of this kind predicts, from the ride's later events (never from the one scored):
 * minutes from `ride.completed` (occurredAt - startedAt), or the tip of `ride.paid`.
 */
export const targetOf = (kind: PredictionKind, ride: CleanRide): number =>
  kind === 'duration' ? ride.durationMin : ride.tipAmount;

export interface EvaluationReport {
  readonly model: string;
  readonly version: string;
  readonly data: string;
  readonly rows: number;
  readonly rmse: number;
  readonly mae: number;
  /** Rows not scored, by reason (training's cleaning and the contract). */
  readonly dropped: Record<string, number>;
}

/** Scores a TLC file with the training cleaning for `kind` and reports RMSE and MAE against the real outcome. */
export async function evaluateFile(o: { kind: PredictionKind; model: Model; file: string }): Promise<EvaluationReport> {
  const { rides, dropped } = cleanTrips(await readTlcFile(o.file), o.kind, 'eval');
  const predicted = await scoreRides(o.model, o.kind, rides);
  const metrics = regressionMetrics(
    predicted,
    rides.map((r) => targetOf(o.kind, r)),
  );
  return {
    model: o.model.info.name,
    version: o.model.info.version,
    data: o.file,
    rows: rides.length,
    ...metrics,
    dropped,
  };
}
