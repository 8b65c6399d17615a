export const INGEST_ERROR_CODES = ['PUBLISH_QUEUE_FULL', 'PUBLISH_FAILED', 'PUBLISHER_STOPPED'] as const;
export type IngestErrorCode = (typeof INGEST_ERROR_CODES)[number];

/** What the producer's intake refuses or fails with; the route answers each of them 503 with `retry-after`. */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
