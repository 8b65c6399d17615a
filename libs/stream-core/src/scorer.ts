import type { PredictionKind } from '@ridestream/features';
import type { Model } from '@ridestream/model';
import type { RecordOutcome } from './outcomes';
import type { SourceRecord } from './records';
import { scoreRecords } from './score-records';

/** Which model scored a record: stamped on predictions and dead letters. */
export interface ModelIdentity {
  readonly name: string;
  readonly version: string;
  /** Of the ONNX file, for startup logs. */
  readonly sha256?: string;
}

/**
 * A batched model call: what `scoreRecords` needs from a model. Its `kind` says which event type it scores
 * (`FEATURE_SPECS[kind].eventType`: duration `ride.started`, tip `ride.completed`); a valid event of another type
 * becomes a `skipped` outcome.
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
