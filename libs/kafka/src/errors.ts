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

/** kafkajs marks its own errors `retriable`; anything else (a bug, a bad config) is not. */
export function isRetriableKafkaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}
