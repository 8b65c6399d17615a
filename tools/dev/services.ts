import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ServiceSpec {
  readonly name: string;
  readonly entry: string;
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
}

export interface RunningService {
  readonly spec: ServiceSpec;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/** Starts an app as its own process (as it runs in production), its JSON logs into `<logDir>/<name>.log`. */
export function startService(
  spec: ServiceSpec,
  root: string,
  logDir: string,
  baseEnv: NodeJS.ProcessEnv,
): RunningService {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${spec.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', spec.entry], {
    cwd: root,
    env: { ...baseEnv, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { spec, child, logFile, exited };
}

/** Waits for `GET /readyz` to answer 200, or fails early if the process exits. */
export async function waitReady(s: RunningService, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void s.exited.then((c) => (exitCode = c));
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`${s.spec.name} exited with code ${exitCode} before it was ready; see ${s.logFile}`);
    try {
      const res = await fetch(`http://127.0.0.1:${s.spec.port}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${s.spec.name} not ready after ${timeoutMs} ms; see ${s.logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGTERM, then SIGKILL after `graceMs`: the services' own shutdown deadline is shorter than this. */
export async function stopService(s: RunningService, graceMs = 30_000): Promise<number | null> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return s.child.exitCode;
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), graceMs);
  try {
    return await s.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP port free on loopback right now (the OS picks it), for a service about to be started. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
