import { RidestreamError, type RetriableClassifier } from '@ridestream/runtime';

export const KINESIS_ERROR_CODES = [
  'PUBLISH_FAILED',
  'PUBLISHER_STOPPED',
  'RECORD_TOO_LARGE',
  'STREAM_NOT_ACTIVE',
  'LEASE_LOST',
  'LEASE_TABLE_MISMATCH',
  'CONSUMER_STOPPED',
  'READ_RETRIES_EXHAUSTED',
  'LEASE_RETRIES_EXHAUSTED',
] as const;
export type KinesisErrorCode = (typeof KINESIS_ERROR_CODES)[number];

/** Where a Kinesis error happened, when it is about one stream or shard. */
export interface KinesisErrorContext {
  readonly stream?: string;
  readonly shardId?: string;
}

/** Errors of the Kinesis adapter: decisions test `code` and `retriable` (through `isRetriable`), never the message. */
export class KinesisTransportError extends RidestreamError<KinesisErrorCode, KinesisErrorContext> {
  override readonly name = 'KinesisTransportError';
}

/**
 * AWS error names that mean "try again later". Throttling must never lose a record, so it is always retriable;
 * the SDK's own `$retryable` marker and 5xx responses are too. Validation and not-found errors are not.
 */
const RETRIABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'KMSThrottlingException',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestLimitExceeded',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

interface AwsLikeError {
  name?: string;
  code?: string;
  $retryable?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * What the AWS SDK's errors say, for `isRetriable(err, classifyAwsError)`: throttling, the SDK's own `$retryable`
 * marker, network errors and 5xx responses are retriable; the other errors AWS blames on the request (`$fault:
 * 'client'`, a 4xx: validation, not found, access denied) are not. Anything else (ours, which carry `retriable`, or
 * an error of no known shape) is left to `isRetriable`'s own rules (`undefined`).
 */
export const classifyAwsError: RetriableClassifier = (error) => {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as AwsLikeError;
  if (e.$retryable) return true;
  if (e.name && RETRIABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (e.$fault === 'client' || (status !== undefined && status >= 400)) return false;
  return undefined;
};

/** The AWS exception name, for decisions that depend on which failure it was (expired iterator, lost lease). */
export const awsErrorName = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null ? (error as AwsLikeError).name : undefined;
