import { isRetriable, RidestreamError, type RetriableClassifier } from '@ridestream/runtime';

export const KAFKA_ERROR_CODES = [
  'PUBLISH_FAILED',
  'PUBLISHER_STOPPED',
  'BROKERS_UNREACHABLE',
  /** A chunk met a transient failure: the partition is read again from the last resolved offset. */
  'BATCH_RETRY',
] as const;
export type KafkaErrorCode = (typeof KAFKA_ERROR_CODES)[number];

/** Where a Kafka error happened, when it is about one place. */
export interface KafkaErrorContext {
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
}

export class KafkaTransportError extends RidestreamError<KafkaErrorCode, KafkaErrorContext> {
  override readonly name = 'KafkaTransportError';
}

/**
 * What kafkajs's errors say beyond their own `retriable` flag, for `isRetriable(err, classifyKafkaError)`. kafkajs
 * wraps an error it retried itself in `KafkaJSNumberOfRetriesExceeded` with `retriable: false`, even when the root
 * cause (a missing topic, a broker that is down) may well pass: the root cause decides then, so that our own backoff
 * gets its turn. Every other kafkajs error carries its own flag (`undefined` here: the flag decides).
 */
export const classifyKafkaError: RetriableClassifier = (error) => {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; cause?: unknown; originalError?: unknown };
  if (e.name !== 'KafkaJSNumberOfRetriesExceeded') return undefined;
  const root = e.cause ?? e.originalError;
  return root === undefined ? undefined : isRetriable(root, classifyKafkaError);
};
