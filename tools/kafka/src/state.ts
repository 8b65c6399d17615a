import { mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { KafkaToolError } from './errors';
import type { KafkaLayout } from './paths';

/** What `start` records so `stop`, `status` and later starts find the broker. */
export interface BrokerState {
  readonly pid: number;
  readonly port: number;
  readonly controllerPort: number;
  /** The loopback PLAINTEXT port of a SASL_SSL broker (`bootstrap` is then its SASL_SSL address). */
  readonly internalPort?: number;
  readonly bootstrap: string;
  readonly kafkaVersion: string;
  readonly startedAt: string;
}

export function readState(layout: KafkaLayout): BrokerState | undefined {
  try {
    return JSON.parse(readFileSync(layout.stateFile, 'utf8')) as BrokerState;
  } catch {
    return undefined; // missing or half-written: treated as "no broker recorded"
  }
}

/** Write-then-rename, so a reader never sees a partial file. */
export function writeState(layout: KafkaLayout, state: BrokerState): void {
  const tmp = `${layout.stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, layout.stateFile);
}

export function removeState(layout: KafkaLayout): void {
  rmSync(layout.stateFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Serialises start/stop across processes sharing the checkout (a test run and a developer's
 * `npm run kafka:start`), which would otherwise launch two brokers on one data dir.
 * A lock left by a dead process is taken over.
 */
export async function withLock<T>(layout: KafkaLayout, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(layout.lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(layout.lockFile, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner: number;
    try {
      owner = Number(readFileSync(layout.lockFile, 'utf8')); // 0 while the owner is still writing it
    } catch {
      continue; // released meanwhile
    }
    if (owner > 0 && !isAlive(owner)) {
      rmSync(layout.lockFile, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new KafkaToolError('LOCK_TIMEOUT', `another process (pid ${owner}) holds ${layout.lockFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    return await fn();
  } finally {
    rmSync(layout.lockFile, { force: true });
  }
}
