import { z } from 'zod';
import { isRetriable, RetriesExhaustedError, RuntimeError, type RetriableClassifier } from './errors';

/** How hard to try: part of an app's config (see `retryEnvSchema`), never constants at the call site. */
export interface RetrySettings {
  /** Attempts after the first one: every retry is bounded. */
  readonly retries: number;
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor?: number;
  /** 0..1: the share of each delay that is randomised, so that instances do not retry in lockstep. */
  readonly jitter?: number;
}

export interface RetryOptions extends RetrySettings {
  /** Shutdown: a backoff in progress ends at once and `retry` rejects with ABORTED. */
  readonly signal?: AbortSignal;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** A transport's knowledge of its client's errors, handed to `isRetriable` (which decides, for every caller). */
  readonly classify?: RetriableClassifier;
  /** The least delay an error asks for (an HTTP `retry-after`): a backoff is never shorter. */
  readonly retryAfterMs?: (error: unknown) => number | undefined;
}

/** The delay before retry number `attempt` (1-based), before jitter. */
export function backoffMs(attempt: number, o: Pick<RetrySettings, 'initialMs' | 'maxMs' | 'factor'>): number {
  return Math.min(o.maxMs, o.initialMs * (o.factor ?? 2) ** (attempt - 1));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  const aborted = () => new RuntimeError('ABORTED', 'retry aborted', { cause: signal?.reason });
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, with exponential backoff and jitter, at most `retries + 1` times. Stops at once on an
 * error `isRetriable` refuses, or when `signal` aborts (shutdown: ABORTED); when it gives up it throws
 * `RetriesExhaustedError` holding every attempt's error.
 *
 * @example
 * await retry(() => producer.send(batch), { ...config.publishRetry, signal });
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const errors: unknown[] = [];
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      errors.push(error);
      if (!isRetriable(error, options.classify)) throw error;
      if (attempt >= options.retries) {
        throw new RetriesExhaustedError(
          `gave up after ${attempt + 1} attempts: ${String((error as Error)?.message ?? error)}`,
          errors,
        );
      }
      const base = backoffMs(attempt + 1, options);
      const jitter = options.jitter ?? 0.2;
      const delay = Math.max(
        Math.round(base * (1 - jitter + Math.random() * 2 * jitter)),
        options.retryAfterMs?.(error) ?? 0,
      );
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay, options.signal);
    }
  }
}

const count = z.coerce.number().int().min(0);
const ms = z.coerce.number().int().positive();

/**
 * The three variables of one retry: `<PREFIX>_RETRIES`, `<PREFIX>_RETRY_INITIAL_MS`, `<PREFIX>_RETRY_MAX_MS`, with
 * the given defaults; `retrySettings(config, prefix)` reads them back as `RetrySettings`.
 *
 * @example
 * const schema = z.object({ ...retryEnvSchema('PUBLISH', { retries: 8, initialMs: 100, maxMs: 5000 }).shape });
 */
export function retryEnvSchema<P extends string>(prefix: P, defaults: RetrySettings) {
  const what = `${prefix.toLowerCase().replaceAll('_', ' ')} retry`;
  return z.object({
    [`${prefix}_RETRIES`]: count.default(defaults.retries).describe(`${what}: attempts after the first (bounded)`),
    [`${prefix}_RETRY_INITIAL_MS`]: ms
      .default(defaults.initialMs)
      .describe(`${what}: first backoff, doubled each time`),
    [`${prefix}_RETRY_MAX_MS`]: ms.default(defaults.maxMs).describe(`${what}: longest backoff`),
  } as Record<
    `${P}_RETRIES` | `${P}_RETRY_INITIAL_MS` | `${P}_RETRY_MAX_MS`,
    z.ZodDefault<z.ZodCoercedNumber<unknown>>
  >);
}

/** The `RetrySettings` of a config validated with `retryEnvSchema(prefix, ...)`. */
export function retrySettings<P extends string>(
  config: Readonly<Record<`${P}_RETRIES` | `${P}_RETRY_INITIAL_MS` | `${P}_RETRY_MAX_MS`, number>>,
  prefix: P,
): RetrySettings {
  return {
    retries: config[`${prefix}_RETRIES`],
    initialMs: config[`${prefix}_RETRY_INITIAL_MS`],
    maxMs: config[`${prefix}_RETRY_MAX_MS`],
  };
}
