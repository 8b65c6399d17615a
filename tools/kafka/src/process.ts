import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaLayout } from './paths';

/** The main class the official kafka-server-start.sh runs. */
export const BROKER_MAIN_CLASS = 'kafka.Kafka';

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * True when `pid` is a live broker started with our server.properties. Checking the command
 * line guards against a recycled pid; a zombie (state Z, exited but not yet reaped, e.g.
 * under a PID 1 that does not reap) counts as gone.
 */
export function isBrokerProcess(pid: number, layout: KafkaLayout): boolean {
  const cmdline = readProc(pid, 'cmdline');
  if (cmdline === undefined) return false;
  const args = cmdline.split('\0');
  if (!args.includes(BROKER_MAIN_CLASS) || !args.includes(layout.serverProperties)) return false;
  const state = readProc(pid, 'stat')?.replace(/^.*\) /s, '')[0];
  return state !== 'Z' && state !== 'X';
}

/** Every broker process of this cache dir, including ones a lost state file forgot. */
export function findBrokerPids(layout: KafkaLayout): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid && isBrokerProcess(pid, layout));
}

export interface SpawnBrokerOptions {
  readonly java: string;
  readonly layout: KafkaLayout;
  readonly jvmOptions: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Starts `kafka.Kafka server.properties` in its own session and process group (detached),
 * so it outlives the CLI and `stop` can signal the whole group. JVM stdout/stderr go to
 * logs/stdout.log, truncated per start, to keep errors raised before log4j starts.
 */
export function spawnBroker({ java, layout, jvmOptions, env }: SpawnBrokerOptions): ChildProcess {
  const out = openSync(layout.stdoutLog, 'w');
  try {
    const args = [
      ...jvmOptions,
      `-Dlog4j2.configurationFile=${layout.log4jConfig}`,
      `-Dkafka.logs.dir=${layout.logsDir}`,
      '-cp',
      join(layout.libDir, '*'),
      BROKER_MAIN_CLASS,
      layout.serverProperties,
    ];
    const child = spawn(java, args, { detached: true, stdio: ['ignore', out, out], env });
    child.unref();
    return child;
  } finally {
    closeSync(out);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig); // the whole group: the JVM leads it since it was spawned detached
  } catch {
    try {
      process.kill(pid, sig); // not a group leader (started some other way)
    } catch {
      // already gone
    }
  }
}

async function waitGone(pids: readonly number[], layout: KafkaLayout, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some((pid) => isBrokerProcess(pid, layout))) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/**
 * SIGTERM lets the broker shut down cleanly (a clean shutdown makes the next start skip log
 * recovery); SIGKILL only after `graceMs`. Returns the pids still alive after both.
 */
export async function terminate(pids: readonly number[], layout: KafkaLayout, graceMs: number): Promise<number[]> {
  for (const pid of pids) signal(pid, 'SIGTERM');
  if (await waitGone(pids, layout, graceMs)) return [];
  for (const pid of pids) signal(pid, 'SIGKILL');
  await waitGone(pids, layout, 5_000);
  return pids.filter((pid) => isBrokerProcess(pid, layout));
}
