/**
 * Issue 16 ("Shutdown of the CLIs"): closing the terminal that runs `npm start` (SIGHUP) left the Kafka broker it had
 * started running. A terminal hangup signals the whole foreground process group (npm, start.ts, the services); the
 * broker is detached, so only start.ts's own cleanups can stop it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@ridestream/testing';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portOpen = (hostPort: string): Promise<boolean> => {
  const [host, port] = hostPort.split(':') as [string, string];
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
};

interface Run {
  child: ChildProcess;
  dir: string;
  output: () => string;
  brokerPid?: number;
}
let run: Run | undefined;

afterEach(() => {
  if (!run) return;
  // Whatever the test saw, nothing it started outlives it.
  if (run.child.pid && alive(run.child.pid)) process.kill(-run.child.pid, 'SIGKILL');
  if (run.brokerPid && alive(run.brokerPid)) process.kill(run.brokerPid, 'SIGKILL');
  rmSync(run.dir, { recursive: true, force: true });
  run = undefined;
});

describe('npm start stops like the services', () => {
  it('stops the broker it started when its terminal closes (SIGHUP to the process group)', async () => {
    // Its own broker directory, beside the shared test broker, with the jars that one already fetched.
    const dir = mkdtempSync(join(tmpdir(), 'start-sighup-'));
    symlinkSync(join(ROOT, '.cache', 'kafka', 'lib'), join(dir, 'lib'));
    const { KAFKA_BROKERS: _external, ...env } = process.env;
    let output = '';
    const child = spawn('npm', ['start', '--', '--kafka-dir', dir, '--rides', '300', '--rate', '30', '--no-view'], {
      cwd: ROOT,
      env: { ...env, KAFKA_HEAP_OPTS: '-Xms256m -Xmx384m' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, as a terminal's foreground job is: the hangup goes to the whole group.
      detached: true,
    });
    run = { child, dir, output: () => output };
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

    // Running: the broker started by this run, the services ready, the replay under way.
    await waitFor(
      () => /\(started by this run\)/.test(output),
      `a broker started by this run; output:\n${output}`,
      180_000,
    );
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { pid: number; bootstrap: string };
    run.brokerPid = state.pid;
    await waitFor(() => /\[start\] dashboard: /.test(output), `the services to be ready; output:\n${output}`, 180_000);
    expect(alive(state.pid)).toBe(true);
    expect(await portOpen(state.bootstrap)).toBe(true);

    process.kill(-child.pid!, 'SIGHUP');

    // On a timeout, what is left of the process group says which part did not stop (start.ts, or a service).
    const left = () => {
      try {
        return execFileSync('ps', ['-o', 'pid,ppid,stat,etime,args', '-g', String(child.pid)], { encoding: 'utf8' });
      } catch {
        return '(no process of the group left)';
      }
    };
    await waitFor(
      () => !alive(state.pid),
      () => `broker pid ${state.pid} to exit after SIGHUP; the group now:\n${left()}\noutput:\n${output}`,
      90_000,
    );
    expect(await portOpen(state.bootstrap), `broker port ${state.bootstrap} still open`).toBe(false);
    // npm may die of the hangup at once; start.ts itself must have run its cleanups to the end. Its stop may have
    // begun on the hangup itself or on a service of the group that exited on it first ("crashed"): the signal then
    // lets that stop finish (runService).
    await waitFor(
      () => /\[start\] stopped \((SIGHUP|crashed)\)/.test(output),
      `start.ts to report its stop; output:\n${output}`,
      90_000,
    );
    expect(output).not.toMatch(/cleanup failed/);
    await exited;
  }, 420_000);
});
