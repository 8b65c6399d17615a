/**
 * Child processes under test (consumers, the producer, the Python peer, Kafka's Java tools) and what /proc says
 * about them: CPU seconds (user + system, all threads) and resident memory (now and peak).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './log';
import { LOG_DIR, ROOT } from './paths';

const CLK_TCK = 100;

export interface ProcUsage {
  /** user + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
  readonly rssMB: number;
  /** Peak resident set (VmHWM). */
  readonly peakRssMB: number;
}

/** CPU and memory of a live process from /proc, or undefined once it is gone. */
export function procUsage(pid: number): ProcUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { cpuSeconds, rssMB: kb('VmRSS') / 1024, peakRssMB: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string | null>;
  /** stdout lines parsed as JSON objects (the Python peer and the load generator report that way). */
  readonly events: Record<string, unknown>[];
  waitForEvent(match: (e: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  /** SIGTERM, SIGKILL after `graceMs`. Returns the exit code. */
  stop(graceMs?: number): Promise<number | string | null>;
}

export function spawnProc(
  name: string,
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Proc {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${name}: ${command}`);
  const events: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith('{"event"')) {
        try {
          events.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not ours
        }
      }
    }
  });
  child.stderr!.pipe(log);
  // 'close', not 'exit': it comes after the child's stdout and stderr are drained, so the log and events are whole.
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('close', (code, signal) => resolve(code ?? signal)),
  );
  let exitedWith: number | string | null | undefined;
  void exited.then((c) => (exitedWith = c));
  const pid = child.pid;
  return {
    name,
    child,
    pid,
    logFile,
    exited,
    events,
    async waitForEvent(match, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (exitedWith !== undefined) throw new Error(`${name} exited with ${exitedWith}; see ${logFile}`);
        if (Date.now() > deadline) throw new Error(`${name}: no matching event after ${timeoutMs} ms; see ${logFile}`);
        await sleep(50);
      }
    },
    async stop(graceMs = 30_000) {
      if (exitedWith !== undefined) return exitedWith;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
        log.end();
      }
    },
  };
}

/** Waits for `GET /readyz` to answer 200, failing early if the process exits. */
export async function waitReady(proc: Proc, port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let code: number | string | null | undefined;
  void proc.exited.then((c) => (code = c));
  for (;;) {
    if (code !== undefined)
      throw new Error(`${proc.name} exited with ${code} before it was ready; see ${proc.logFile}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} not ready after ${timeoutMs} ms; see ${proc.logFile}`);
    await sleep(100);
  }
}

/** Runs a command to completion (bounded by `timeoutMs`), returning its stdout. */
export async function runToEnd(
  name: string,
  command: string,
  args: readonly string[],
  timeoutMs: number,
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number | string | null; stdout: string; cpuSeconds: number | undefined }> {
  const chunks: Buffer[] = [];
  const proc = spawnProc(name, command, args, env);
  proc.child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  let cpuSeconds: number | undefined;
  const sampler = setInterval(() => (cpuSeconds = procUsage(proc.pid)?.cpuSeconds ?? cpuSeconds), 200);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await proc.exited;
    return { code, stdout: Buffer.concat(chunks).toString('utf8'), cpuSeconds };
  } finally {
    clearTimeout(timer);
    clearInterval(sampler);
  }
}

export { freePort } from '@ridestream/dev-services';
