/**
 * The one way tests run a part of the project as its own process (an app's main, `npm start`, the chaos harness):
 * `node --import tsx <entry>`, from the repository root, with its output kept for the failure message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SpawnOptions {
  /** Arguments after the entry file. */
  readonly args?: readonly string[];
  /** Variables on top of the base environment. */
  readonly env?: Record<string, string>;
  /**
   * `inherit` (default): the test run's whole environment under `env`; `minimal`: only PATH, HOME, TMPDIR and
   * JAVA_HOME, so that no setting of the test run (a shared broker's address, say) leaks into the process.
   */
  readonly baseEnv?: 'inherit' | 'minimal';
  /** Variables of the base environment to leave out (e.g. KINESIS_ENDPOINT, so the tool starts its own). */
  readonly unset?: readonly string[];
}

export interface TestProcess {
  readonly child: ChildProcess;
  /** stdout and stderr, interleaved as they came. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended and its output is read. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` (SIGTERM by default) if it still runs; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  /** SIGKILL if still running: for afterEach, whatever state the test left it in. */
  kill(): void;
}

const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/**
 * Runs `entry` (a TypeScript file, relative to the repository root) as `node --import tsx entry ...args`.
 *
 * @example
 * const start = spawnTsx('tools/dev/start.ts', { args: ['--rides', '500', '--exit-when-done'] });
 * expect(await start.exited, start.output()).toBe(0);
 */
export function spawnTsx(entry: string, o: SpawnOptions = {}): TestProcess {
  return spawnProcess(process.execPath, ['--import', 'tsx', entry, ...(o.args ?? [])], o);
}

/**
 * Runs any executable (a Python tool, a downloaded binary) from the repository root, the same way as `spawnTsx`.
 *
 * @example
 * const tool = spawnProcess('.cache/bin/tool', ['--version'], { baseEnv: 'minimal' });
 */
export function spawnProcess(
  command: string,
  args: readonly string[],
  o: Omit<SpawnOptions, 'args'> & { readonly cwd?: string } = {},
): TestProcess {
  const base: Record<string, string | undefined> =
    o.baseEnv === 'minimal'
      ? { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, JAVA_HOME: process.env.JAVA_HOME }
      : { ...process.env };
  for (const name of o.unset ?? []) delete base[name];
  const env = Object.fromEntries(
    Object.entries({ ...base, ...o.env }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const child = spawn(command, args, {
    cwd: o.cwd ?? REPO_ROOT,
    env,
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
    stop: (signal = 'SIGTERM') => {
      if (running(child)) child.kill(signal);
      return exited;
    },
    kill: () => {
      if (running(child)) child.kill('SIGKILL');
    },
  };
}
