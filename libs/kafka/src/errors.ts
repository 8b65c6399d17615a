export const KAFKA_ERROR_CODES = ['PUBLISH_FAILED', 'PUBLISHER_STOPPED', 'BROKERS_UNREACHABLE'] as const;
export type KafkaErrorCode = (typeof KAFKA_ERROR_CODES)[number];

export class KafkaTransportError extends Error {
  override readonly name = 'KafkaTransportError';
  constructor(
    readonly code: KafkaErrorCode,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * kafkajs marks its own errors `retriable`; anything else (a bug, a bad config) is not. kafkajs wraps an error it
 * retried itself in `KafkaJSNumberOfRetriesExceeded` with `retriable: false`, even when the root cause (a missing
 * topic, a broker that is down) may well pass: the root cause decides then, so that our own backoff gets its turn.
 */
export function isRetriableKafkaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { retriable?: unknown; name?: unknown; cause?: unknown; originalError?: unknown };
  if (e.retriable === true) return true;
  return e.name === 'KafkaJSNumberOfRetriesExceeded' && isRetriableKafkaError(e.cause ?? e.originalError);
}
