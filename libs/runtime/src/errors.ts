/**
 * The one error model of ridestream. Every lib's errors extend `RidestreamError`, built one way:
 *
 *   new ModelError('MODEL_NOT_FOUND', `no model at ${path}`, { cause, context: { path } })
 *   new KafkaTransportError('PUBLISH_FAILED', msg, { retriable: true, cause, context: { topic } })
 *
 * - `code`: from the lib's `as const` list; decisions test it (or `retriable`), never the message.
 * - `retriable`: the thrower says whether doing the same thing again may succeed. Default `false`: whoever throws a
 *   typed error knows what failed, and must say `retriable: true` for what passes by itself (an outage, a timeout).
 * - `cause`: the error underneath (the client's, the SDK's), kept for logs.
 * - `context`: what the failure was about (`topic`, `partition`, `path`, `stream`...), under `err.context` in pino.
 *
 * Whether to retry is decided by `isRetriable` alone, which also answers for errors that are not ours.
 */
export interface RidestreamErrorOptions<Context extends object = Readonly<Record<string, unknown>>> {
  readonly retriable?: boolean;
  readonly cause?: unknown;
  readonly context?: Context;
}

export abstract class RidestreamError<
  Code extends string = string,
  Context extends object = Readonly<Record<string, unknown>>,
> extends Error {
  readonly code: Code;
  readonly retriable: boolean;
  readonly context: Context;
  constructor(code: Code, message: string, options: RidestreamErrorOptions<Context> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? ({} as Context);
  }
}

/**
 * What an error says of itself, for a client whose errors carry no `retriable` flag (the AWS SDK): `true`/`false`
 * when it knows, `undefined` when it does not (then the flag, then the default decide).
 */
export type RetriableClassifier = (error: unknown) => boolean | undefined;

/**
 * Unknown errors (no `retriable` flag, not known to the classifier) are retriable: retry them, bounded by `retry`,
 * then fail the process without committing. Delivery is at-least-once, so an error nobody classified (a bug, an
 * outage in a form we never saw) must not dead-letter rides or skip them: that loses them from the main output for
 * good. Retrying costs a few seconds; failing the process leaves the input uncommitted, so a restart (or the fix)
 * scores them. Poison input is never unknown: it is classified where it is found (`FeaturesError`, `ModelError`
 * `MODEL_RUN_FAILED`, both `retriable: false`) and dead-lettered.
 */
export const UNKNOWN_ERRORS_ARE_RETRIABLE = true;

/**
 * The one answer to "may the same thing succeed if done again?", in this order:
 * 1. `classify` (a transport's knowledge of its client's errors, e.g. `classifyAwsError`), when it knows;
 * 2. the error's own boolean `retriable` (ours, kafkajs's, an outcome relayed from a worker thread);
 * 3. otherwise `UNKNOWN_ERRORS_ARE_RETRIABLE`.
 *
 * @example
 * if (!isRetriable(err)) return deadLetter(record, err);
 */
export function isRetriable(error: unknown, classify?: RetriableClassifier): boolean {
  const known = classify?.(error);
  if (known !== undefined) return known;
  const flag = typeof error === 'object' && error !== null ? (error as { retriable?: unknown }).retriable : undefined;
  return typeof flag === 'boolean' ? flag : UNKNOWN_ERRORS_ARE_RETRIABLE;
}

export const RUNTIME_ERROR_CODES = ['CONFIG_INVALID', 'SHUTDOWN_TIMEOUT', 'RETRIES_EXHAUSTED', 'ABORTED'] as const;
export type RuntimeErrorCode = (typeof RUNTIME_ERROR_CODES)[number];

export class RuntimeError extends RidestreamError<RuntimeErrorCode> {
  override readonly name: string = 'RuntimeError';
}

/** One environment variable that is missing or wrong. */
export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

/** Startup stops on this: every bad variable is named at once, so one restart fixes them all. */
export class ConfigError extends RuntimeError {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super('CONFIG_INVALID', `invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
  }
}

/**
 * Thrown by `retry` when it gives up; keeps every attempt's error. Not retriable: the bounded retries are spent, so
 * the caller fails (a service exits non-zero without committing; a CLI exits 1 naming what failed).
 */
export class RetriesExhaustedError extends RuntimeError {
  override readonly name = 'RetriesExhaustedError';
  constructor(
    message: string,
    readonly errors: readonly unknown[],
  ) {
    super('RETRIES_EXHAUSTED', message, { cause: errors.at(-1), context: { attempts: errors.length } });
  }
}
