import { ConfigError, RuntimeError } from './errors';
import type { Logger } from './logger';

/** Every long-lived component: start it once, stop it once (a second `stop()` returns the first promise). */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A running service may also end by itself: `finished` rejects when it crashes (the process must exit 1). */
export interface Service extends Lifecycle {
  readonly finished?: Promise<void>;
}

export interface CleanupStep {
  readonly name: string;
  readonly run: () => unknown;
}

/**
 * Runs cleanups in order, each in its own try/catch so that one failure (a broker gone at flush time) does not
 * skip the rest (disconnect, dispose the model). Returns the errors, in order.
 */
export async function runCleanups(
  steps: readonly CleanupStep[],
  logger: Pick<Logger, 'warn' | 'debug'>,
): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step.run();
      logger.debug({ step: step.name }, 'cleanup done');
    } catch (err) {
      errors.push(err);
      logger.warn({ err, step: step.name }, 'cleanup failed; continuing');
    }
  }
  return errors;
}

/** Makes `fn` run once: later calls return the first call's promise (BullMQ's `close()`). */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= fn());
}

/** Resolves with `work`, or rejects with SHUTDOWN_TIMEOUT after `ms`. The timer never keeps the process alive. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RuntimeError('SHUTDOWN_TIMEOUT', `${what} did not finish within ${ms} ms`, false)),
      ms,
    );
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** The slice of `process` that `runService` uses, so tests can drive it without exiting the test runner. */
export interface ProcessLike {
  on(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (err: unknown) => void): unknown;
  exit(code: number): void;
}

export interface RunServiceOptions {
  readonly logger: Logger;
  /** Below the orchestrator's grace period (Kubernetes: 30 s by default). */
  readonly shutdownTimeoutMs: number;
  readonly process?: ProcessLike;
}

/**
 * The one place where a process starts, handles signals and crashes, and exits:
 * SIGTERM/SIGINT -> `stop()` raced against the deadline -> exit 0 (clean) or 1 (timeout or error);
 * a second signal exits 1 at once; a crash (`finished` rejects, or an uncaught error) stops and exits 1.
 */
export async function runService(service: Service, options: RunServiceOptions): Promise<void> {
  const proc = options.process ?? process;
  const { logger } = options;
  let stopping = false;

  const shutdown = async (reason: string, code: number, err?: unknown): Promise<void> => {
    if (stopping) {
      logger.warn({ reason }, 'second shutdown request: exiting now');
      proc.exit(1);
      return;
    }
    stopping = true;
    if (err) logger.error({ err, reason }, 'service failed; stopping');
    else logger.info({ reason }, 'stopping');
    try {
      await withDeadline(service.stop(), options.shutdownTimeoutMs, 'shutdown');
      logger.info({ reason }, 'stopped');
      proc.exit(code);
    } catch (stopErr) {
      logger.error({ err: stopErr }, 'shutdown failed');
      proc.exit(1);
    }
  };

  proc.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  proc.on('SIGINT', () => void shutdown('SIGINT', 0));
  proc.on('uncaughtException', (err) => void shutdown('uncaughtException', 1, err));
  proc.on('unhandledRejection', (err) => void shutdown('unhandledRejection', 1, err));

  try {
    await service.start();
  } catch (err) {
    await shutdown('start failed', 1, err);
    return;
  }
  logger.info('started');
  service.finished?.then(
    () => void (stopping || shutdown('finished', 0)),
    (err: unknown) => void shutdown('crashed', 1, err),
  );
}

/**
 * The `catch` of an app's `main()`: startup errors (bad config, missing model, unreachable broker) end here,
 * possibly before a logger exists, as one clear message on stderr naming what to fix, and exit code 1.
 *
 * @example main().catch(exitOnStartupError('producer'));
 */
export function exitOnStartupError(
  service: string,
  proc: Pick<ProcessLike, 'exit'> = process,
  print: (line: string) => void = console.error,
) {
  return (err: unknown): void => {
    const reason =
      err instanceof ConfigError
        ? `invalid configuration:\n${err.issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`
        : ((err as Error)?.message ?? String(err));
    print(`${service}: cannot start: ${reason}`);
    proc.exit(1);
  };
}
