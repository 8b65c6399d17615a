export const KINESIS_ERROR_CODES = [
  'PUBLISH_FAILED',
  'PUBLISHER_STOPPED',
  'RECORD_TOO_LARGE',
  'STREAM_NOT_ACTIVE',
  'LEASE_LOST',
  'LEASE_TABLE_MISMATCH',
  'CONSUMER_STOPPED',
] as const;
export type KinesisErrorCode = (typeof KINESIS_ERROR_CODES)[number];

/** Errors of the Kinesis adapter: decisions test `code` and `retriable`, never the message. */
export class KinesisTransportError extends Error {
  override readonly name = 'KinesisTransportError';
  constructor(
    readonly code: KinesisErrorCode,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown; stream?: string; shardId?: string },
  ) {
    super(message, options);
    this.stream = options?.stream;
    this.shardId = options?.shardId;
  }
  readonly stream: string | undefined;
  readonly shardId: string | undefined;
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
  retriable?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Classifies an error from the AWS SDK (or ours) as worth retrying. */
export function isRetriableAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as AwsLikeError;
  if (typeof e.retriable === 'boolean') return e.retriable;
  if (e.$retryable) return true;
  if (e.name && RETRIABLE_NAMES.has(e.name)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/** The AWS exception name, for decisions that depend on which failure it was (expired iterator, lost lease). */
export const awsErrorName = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null ? (error as AwsLikeError).name : undefined;
