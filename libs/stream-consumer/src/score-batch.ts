import {
  FEATURE_SPECS,
  makePrediction,
  parseRideEvent,
  type FeatureSpec,
  type PredictionKind,
  type RideEvent,
} from '@ridestream/features';
import type { Model } from '@ridestream/model';
import type { RecordOutcome } from './outcomes';
import type { SourceRecord } from './records';

/** Which model scored a record: stamped on predictions and dead letters. */
export interface ModelIdentity {
  readonly name: string;
  readonly version: string;
  /** Of the ONNX file, for startup logs. */
  readonly sha256?: string;
}

/**
 * A kind's feature spec with the event type widened: callers check `event.type === spec.eventType` before `write`
 * (method parameters are bivariant, which is what makes this assignment compile; the check makes it sound).
 */
export const specOf = (kind: PredictionKind): FeatureSpec<RideEvent> => FEATURE_SPECS[kind];

/**
 * A batched model call: what `scoreRecords` needs from a model. Its `kind` says which event type it scores
 * (`FEATURE_SPECS[kind].eventType`: duration `ride.started`, tip `ride.completed`).
 */
export interface Predictor {
  readonly kind: PredictionKind;
  readonly model: ModelIdentity;
  predict(features: Float32Array, rows: number): Promise<Float32Array>;
}

/**
 * What the pipeline scores records with, whatever runs the model: this thread (`modelScorer`) or a worker thread
 * (`startScoringWorker`). `score` never rejects for bad input (a malformed record is a `rejected` outcome); it
 * rejects only when the scorer itself is broken.
 */
export interface Scorer {
  readonly kind: PredictionKind;
  readonly model: ModelIdentity;
  score(records: readonly SourceRecord[]): Promise<RecordOutcome[]>;
  /** Releases the model (and the thread running it). Memoised by the implementations. */
  dispose(): Promise<void>;
  /** Rejects if the scorer dies on its own (a worker thread crashed): the service must then exit non-zero. */
  readonly failed?: Promise<never>;
  /**
   * How many chunks a caller should hand over before awaiting the first. 1 for an in-thread scorer, whose work
   * runs on the caller's thread anyway; more for a worker, so that it always has the next chunk queued instead of
   * waiting for a thread hop after each one.
   */
  readonly lookahead: number;
}

/**
 * The in-thread scorer of a loaded model: parse, validate, features and `session.run` on the calling thread.
 * Also a `Predictor`, for callers with feature rows already built (the prediction API).
 */
export function modelScorer(
  kind: PredictionKind,
  model: Pick<Model, 'info' | 'predict' | 'dispose'>,
): Scorer & Predictor {
  return predictorScorer(
    {
      kind,
      model: { name: model.info.name, version: model.info.version, sha256: model.info.sha256 },
      predict: (f, n) => model.predict(f, n),
    },
    () => model.dispose(),
  );
}

/** An in-thread scorer over any batched predict (a loaded model, a test double, a bench adapter). */
export function predictorScorer(
  predictor: Predictor,
  dispose: () => Promise<void> = async () => {},
): Scorer & Predictor {
  return {
    ...predictor,
    score: async (records) => {
      // A macrotask boundary first: with several partitions in flight, their chunks would otherwise run back to back
      // in one chain of microtasks, and timers, heartbeats and probes would wait for all of them.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return scoreRecords(records, predictor);
    },
    dispose,
    lookahead: 1,
  };
}

/** The error's own `retriable` flag decides; unknown errors are treated as permanent (dead-letter, move on). */
const isRetriable = (err: unknown) => (err as { retriable?: unknown } | null)?.retriable === true;

/**
 * Validates every record, scores the valid events of the predictor's type in one model call, and returns one
 * outcome per record, in order, each scored one with its prediction message already serialised (so that a worker
 * thread does that work too). Never throws for bad input: a malformed record (or a retired v1 event, or a drop-off
 * before its pickup) becomes a `rejected` outcome naming the field; a valid event of another type a `skipped` one.
 *
 * Stateless: each event is scored on its own, whatever came before. A `ride.completed` whose `ride.started` was
 * never seen, or arrives late, is scored (it is self-contained); a duplicate is scored again and gets the same
 * `predictionId` (sha256 of kind, model, version and event id), so a subscriber drops it.
 */
export async function scoreRecords(
  records: readonly SourceRecord[],
  predictor: Predictor,
  now: () => Date = () => new Date(),
): Promise<RecordOutcome[]> {
  const spec = specOf(predictor.kind);
  const outcomes: (RecordOutcome | undefined)[] = new Array(records.length);
  const valid: { index: number; event: RideEvent }[] = [];
  records.forEach((record, index) => {
    const parsed = parseRideEvent(record.value);
    if (!parsed.ok)
      outcomes[index] = {
        status: 'rejected',
        record,
        code: parsed.error.code,
        reason: parsed.error.message,
        issues: parsed.error.issues,
      };
    else if (parsed.value.type !== spec.eventType)
      outcomes[index] = { status: 'skipped', record, eventType: parsed.value.type };
    else valid.push({ index, event: parsed.value });
  });
  if (valid.length > 0) {
    const features = new Float32Array(valid.length * spec.count);
    valid.forEach((v, row) => spec.write(v.event, features, row));
    let values: Float32Array | undefined;
    let failure: unknown;
    try {
      values = await predictor.predict(features, valid.length);
    } catch (err) {
      failure = err;
    }
    const scoredAt = now();
    valid.forEach(({ index, event }, row) => {
      const record = records[index]!;
      if (!values) {
        outcomes[index] = isRetriable(failure)
          ? { status: 'retry', record, error: failure }
          : {
              status: 'rejected',
              record,
              code: (failure as { code?: string })?.code ?? 'SCORING_FAILED',
              reason: `scoring failed: ${(failure as Error)?.message ?? String(failure)}`,
              issues: [],
            };
        return;
      }
      const value = values[row]!;
      outcomes[index] = Number.isFinite(value)
        ? {
            status: 'scored',
            record,
            rideId: event.rideId,
            value,
            payload: JSON.stringify(
              makePrediction({ kind: predictor.kind, model: predictor.model, event, value, scoredAt }),
            ),
          }
        : { status: 'rejected', record, code: 'NON_FINITE_PREDICTION', reason: `model returned ${value}`, issues: [] };
    });
  }
  return outcomes as RecordOutcome[];
}
