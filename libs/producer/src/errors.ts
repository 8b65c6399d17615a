import { RidestreamError } from '@ridestream/runtime';

export const INGEST_ERROR_CODES = [
  /** The intake's queue for the broker is full: 503 with `retry-after`. */
  'PUBLISH_QUEUE_FULL',
  'PUBLISH_FAILED',
  'PUBLISHER_STOPPED',
  /** The producer answered 503 (broker busy) or 429 (rate limit): retriable, after its `retry-after`. */
  'PRODUCER_BUSY',
  /** No answer from the producer (connection refused or reset): retriable, it may be restarting. */
  'PRODUCER_UNREACHABLE',
  /** The producer refused a request (400, 401, 413...): the same request fails the same way. */
  'PRODUCER_REJECTED',
  /** The replay's bounded retries of one request ran out: it stops, naming the request and the last failure. */
  'REPLAY_GAVE_UP',
] as const;
export type IngestErrorCode = (typeof INGEST_ERROR_CODES)[number];

export interface IngestErrorContext {
  /** The endpoint the replay posted to. */
  readonly url?: string;
  /** The producer's HTTP status. */
  readonly status?: number;
  /** The producer's `retry-after`, in ms. */
  readonly retryAfterMs?: number;
  /** The request's events, as positions in the replay: `[first, end)`. */
  readonly events?: readonly [number, number];
  readonly attempts?: number;
}

/**
 * What the producer's intake refuses or fails with (the route answers each of them 503 with `retry-after`), and what
 * the replay client meets on the other side of `POST /rides`.
 */
export class IngestError extends RidestreamError<IngestErrorCode, IngestErrorContext> {
  override readonly name = 'IngestError';
}
