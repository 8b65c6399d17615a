export {
  ConfigError,
  isRetriable,
  RetriesExhaustedError,
  RidestreamError,
  RUNTIME_ERROR_CODES,
  RuntimeError,
  UNKNOWN_ERRORS_ARE_RETRIABLE,
} from './errors';
export type { ConfigIssue, RetriableClassifier, RidestreamErrorOptions, RuntimeErrorCode } from './errors';
export { envSchemas, loadEnvConfig, normaliseEnv, serviceEnvSchema, transportEnvSchema } from './config';
export type { Env } from './config';
export { createLogger, REDACT_PATHS, silentLogger } from './logger';
export type { Logger, LoggerOptions } from './logger';
export { backoffMs, retry, retryEnvSchema, retrySettings } from './retry';
export type { RetryOptions, RetrySettings } from './retry';
export { exitOnStartupError, lineLogger, once, runCleanups, runService, STOP_SIGNALS, withDeadline } from './lifecycle';
export type { CleanupStep, Lifecycle, ProcessLike, RunServiceOptions, Service, StopSignal } from './lifecycle';
export { createMetricsRegistry } from './metrics';
export type { Registry } from './metrics';
export { contextFromHeaders, createTracing, traceHeaders } from './tracing';
export { takeUpTo } from './take-up-to';
export type { Tracing, TracingOptions } from './tracing';
