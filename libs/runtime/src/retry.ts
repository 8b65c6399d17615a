import { RetriesExhaustedError, RuntimeError } from './errors';

export interface RetryOptions {
  /** Attempts after the first one. */
  readonly retries: number;
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor?: number;
  /** 0..1: the share of each delay that is randomised, so that instances do not retry in lockstep. */
  readonly jitter?: number;
  readonly signal?: AbortSignal;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Defaults to: retry unless the error says `retriable: false`. */
  readonly isRetriable?: (error: unknown) => boolean;
}

const defaultIsRetriable = (error: unknown): boolean =>
  !(typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === false);

/** The delay before retry number `attempt` (1-based), before jitter. */
export function backoffMs(attempt: number, o: Pick<RetryOptions, 'initialMs' | 'maxMs' | 'factor'>): number {
  return Math.min(o.maxMs, o.initialMs * (o.factor ?? 2) ** (attempt - 1));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RuntimeError('ABORTED', 'retry aborted', false, { cause: signal.reason }));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RuntimeError('ABORTED', 'retry aborted', false, { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, with exponential backoff and jitter. Stops at once on a non-retriable error
 * or when `signal` aborts (shutdown); when it gives up it throws `RetriesExhaustedError` holding every error.
 *
 * @example
 * await retry(() => producer.send(batch), { retries: 5, initialMs: 100, maxMs: 5_000, signal });
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const isRetriable = options.isRetriable ?? defaultIsRetriable;
  const errors: unknown[] = [];
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      errors.push(error);
      if (!isRetriable(error)) throw error;
      if (attempt >= options.retries) {
        throw new RetriesExhaustedError(
          `gave up after ${attempt + 1} attempts: ${String((error as Error)?.message ?? error)}`,
          errors,
        );
      }
      const base = backoffMs(attempt + 1, options);
      const jitter = options.jitter ?? 0.2;
      const delay = Math.round(base * (1 - jitter + Math.random() * 2 * jitter));
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay, options.signal);
    }
  }
}
