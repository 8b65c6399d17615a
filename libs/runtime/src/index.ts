export { ConfigError, RetriesExhaustedError, RUNTIME_ERROR_CODES, RuntimeError } from './errors';
export type { ConfigIssue, RuntimeErrorCode } from './errors';
export {
  envSchemas,
  kafkaEnvSchema,
  loadEnvConfig,
  normaliseEnv,
  serviceEnvSchema,
  transportEnvSchema,
} from './config';
export type { Env, KafkaEnv } from './config';
export { createLogger, REDACT_PATHS, silentLogger } from './logger';
export type { Logger, LoggerOptions } from './logger';
export { backoffMs, retry } from './retry';
export type { RetryOptions } from './retry';
export { exitOnStartupError, once, runCleanups, runService, withDeadline } from './lifecycle';
export type { CleanupStep, Lifecycle, ProcessLike, RunServiceOptions, Service } from './lifecycle';
export { createMetricsRegistry } from './metrics';
export type { Registry } from './metrics';
export { contextFromHeaders, createTracing, traceHeaders } from './tracing';
export type { Tracing, TracingOptions } from './tracing';
