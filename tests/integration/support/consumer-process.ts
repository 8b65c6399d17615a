import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PredictionKind } from '@ridestream/features';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A consumer app (`apps/<kind>-consumer`) running as its own process, as it runs in production. */
export interface ConsumerProcess {
  readonly child: ChildProcess;
  /** stdout (pino JSON lines) and stderr, interleaved as they came. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, as an orchestrator stops it; resolves with the exit code. */
  stop(): Promise<number | string>;
  /** SIGKILL if still running: for afterEach, whatever state the test left it in. */
  kill(): void;
}

/**
 * Starts `apps/<kind>-consumer/src/main.ts` with exactly `env` on top of PATH/HOME-like basics. The caller's
 * KAFKA_* variables are the only Kafka settings the app sees: no shared-broker address leaks in from the test run.
 */
export function startConsumerProcess(kind: PredictionKind, env: Record<string, string>): ConsumerProcess {
  const { PATH, HOME, TMPDIR, JAVA_HOME } = process.env;
  const base = Object.fromEntries(
    Object.entries({ PATH, HOME, TMPDIR, JAVA_HOME }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', `apps/${kind}-consumer/src/main.ts`], {
    cwd: ROOT,
    env: { ...base, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const exited = new Promise<number | string>((resolve) =>
    // 'close', not 'exit': by then stdout and stderr are fully read.
    child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    output: () => chunks.join(''),
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
