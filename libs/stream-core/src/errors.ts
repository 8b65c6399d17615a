import { RidestreamError } from '@ridestream/runtime';

export const STREAM_CORE_ERROR_CODES = [
  /** The scoring worker died: nothing it was given was scored; the process exits so that it is restarted. */
  'SCORING_WORKER_EXITED',
  /** The scoring worker could not load its model for a reason that is no `ModelError`. */
  'SCORING_WORKER_LOAD_FAILED',
  /** A transient scoring failure seen in the worker thread, relayed to the main thread as it was there. */
  'SCORING_RETRY',
] as const;
export type StreamCoreErrorCode = (typeof STREAM_CORE_ERROR_CODES)[number];

export interface StreamCoreErrorContext {
  readonly modelPath?: string;
  /** For SCORING_RETRY: the code of the error the worker met (a `ModelError`'s, say). */
  readonly workerCode?: string;
}

export class StreamCoreError extends RidestreamError<StreamCoreErrorCode, StreamCoreErrorContext> {
  override readonly name: string = 'StreamCoreError';
}

/** The scoring worker died or could not start (never retriable: the process must exit). */
export class ScoringWorkerError extends StreamCoreError {
  override readonly name = 'ScoringWorkerError';
}
