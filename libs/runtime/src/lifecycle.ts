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
      () => reject(new RuntimeError('SHUTDOWN_TIMEOUT', `${what} did not finish within ${ms} ms`)),
      ms,
    );
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** The signals that stop a process: SIGHUP too, so that closing the terminal of a CLI (`npm start`) runs its cleanups. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The slice of `process` that `runService` uses, so tests can drive it without exiting the test runner. */
export interface ProcessLike {
  on(event: StopSignal, listener: () => void): unknown;
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (err: unknown) => void): unknown;
  exit(code: number): void;
  /** Where a closed terminal or pipe shows up (EPIPE, EIO); absent in tests that have no streams. */
  readonly stdout?: Pick<NodeJS.WriteStream, 'on'>;
  readonly stderr?: Pick<NodeJS.WriteStream, 'on'>;
}

/** The errors of writing to a terminal or pipe that is gone: the lines are lost, the cleanups must still run. */
const CLOSED_OUTPUT_CODES = new Set(['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED']);
const isClosedOutput = (err: unknown): boolean =>
  CLOSED_OUTPUT_CODES.has(String((err as { code?: unknown } | null)?.code));

export interface RunServiceOptions {
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Below the orchestrator's grace period (Kubernetes: 30 s by default). */
  readonly shutdownTimeoutMs: number;
  readonly process?: ProcessLike;
}

/**
 * The one place where a process (a service or a CLI: `npm start`, replay, subscribe) starts, handles signals and
 * crashes, and exits: SIGTERM/SIGINT/SIGHUP -> `stop()` raced against the deadline -> exit 0 (clean) or 1 (timeout
 * or error); a second signal exits 1 at once; a crash (`finished` rejects, or an uncaught error) stops and exits 1;
 * `finished` resolving (a CLI whose work is done) stops and exits 0. A signal during a stop that no signal began (a
 * crash, `finished`) lets that stop finish: only a second signal means "exit now".
 *
 * A closed terminal or stdout (EPIPE, EIO) never skips a cleanup: those write errors are dropped, and an uncaught
 * error during the stop is logged, not taken for a second signal (only a signal means "exit now").
 */
export async function runService(service: Service, options: RunServiceOptions): Promise<void> {
  const proc = options.process ?? process;
  const logger = quietWhenClosed(options.logger);
  let stopping = false;

  const shutdown = async (reason: string, code: number, err?: unknown): Promise<void> => {
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
  let signalled = false;
  const onSignal = (signal: StopSignal) => {
    const first = !signalled;
    signalled = true;
    if (!stopping) return void shutdown(signal, 0);
    // A stop that a crash or a finished CLI began is not a shutdown request: the first signal lets it finish (a
    // closed terminal signals the whole group, and a child that stopped on it may have been seen first).
    if (first) return void logger.info({ signal }, 'stop already under way');
    logger.warn({ signal }, 'second shutdown request: exiting now');
    proc.exit(1);
  };
  const onCrash = (reason: string) => (err: unknown) => {
    if (isClosedOutput(err)) return;
    if (stopping) return logger.warn({ err, reason }, 'error while stopping; the stop goes on');
    void shutdown(reason, 1, err);
  };

  for (const signal of STOP_SIGNALS) proc.on(signal, () => onSignal(signal));
  proc.on('uncaughtException', onCrash('uncaughtException'));
  proc.on('unhandledRejection', onCrash('unhandledRejection'));
  // Without a listener, a write to a closed terminal is an uncaught error; with one it is only a lost line.
  for (const stream of [proc.stdout, proc.stderr]) stream?.on('error', onCrash('output error'));

  try {
    await service.start();
  } catch (err) {
    await shutdown('start failed', 1, err);
    return;
  }
  logger.info('started');
  service.finished?.then(
    () => void (stopping || shutdown('finished', 0)),
    (err: unknown) => void (stopping ? logger.warn({ err }, 'failed while stopping') : shutdown('crashed', 1, err)),
  );
}

/** A logger whose calls never throw: a sync write to a closed terminal must not break off a stop. */
function quietWhenClosed(logger: RunServiceOptions['logger']): RunServiceOptions['logger'] {
  const guard =
    (fn: (...a: never[]) => void) =>
    (...args: never[]) => {
      try {
        fn(...args);
      } catch {
        // The line is lost; what matters is the next cleanup.
      }
    };
  return {
    info: guard(logger.info.bind(logger)),
    warn: guard(logger.warn.bind(logger)),
    error: guard(logger.error.bind(logger)),
    debug: guard(logger.debug.bind(logger)),
  } as RunServiceOptions['logger'];
}

/**
 * A logger for CLIs that talk to people: `[name] message (err.message)` lines on stderr, for `runService` and
 * `runCleanups`. Writes to a closed terminal are dropped.
 *
 * @example const logger = lineLogger('start');
 */
export function lineLogger(
  name: string,
  write: (line: string) => void = (line) => void process.stderr.write(line),
): Pick<Logger, 'info' | 'warn' | 'error' | 'debug'> {
  const line = (obj: unknown, msg?: string) => {
    const fields = typeof obj === 'string' ? { msg: obj } : ((obj ?? {}) as Record<string, unknown>);
    const text = typeof obj === 'string' ? obj : (msg ?? '');
    const err = fields['err'] as { message?: string } | undefined;
    const detail = [fields['step'], fields['reason'] ?? fields['signal']].filter(Boolean).join(' ');
    try {
      write(`[${name}] ${text}${detail ? ` (${detail})` : ''}${err ? `: ${err.message ?? String(err)}` : ''}\n`);
    } catch {
      // A closed terminal: the line is lost.
    }
  };
  return { info: line, warn: line, error: line, debug: () => {} } as unknown as Pick<
    Logger,
    'info' | 'warn' | 'error' | 'debug'
  >;
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
