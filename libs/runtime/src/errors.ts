export const RUNTIME_ERROR_CODES = ['CONFIG_INVALID', 'SHUTDOWN_TIMEOUT', 'RETRIES_EXHAUSTED', 'ABORTED'] as const;
export type RuntimeErrorCode = (typeof RUNTIME_ERROR_CODES)[number];

export class RuntimeError extends Error {
  override name = 'RuntimeError';
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One environment variable that is missing or wrong. */
export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

/** Startup stops on this: every bad variable is named at once, so one restart fixes them all. */
export class ConfigError extends RuntimeError {
  override name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      'CONFIG_INVALID',
      `invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`,
      false,
    );
  }
}

/** Thrown by `retry` when it gives up; keeps every attempt's error. */
export class RetriesExhaustedError extends RuntimeError {
  override name = 'RetriesExhaustedError';
  constructor(
    message: string,
    readonly errors: readonly unknown[],
  ) {
    super('RETRIES_EXHAUSTED', message, false, { cause: errors.at(-1) });
  }
}
