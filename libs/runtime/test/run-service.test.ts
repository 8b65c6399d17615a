import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  exitOnStartupError,
  runService,
  silentLogger,
  type ProcessLike,
  type Service,
} from '../src/index';

/** A process stand-in: records exit codes instead of exiting the test runner. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  let exited: (code: number) => void = () => {};
  const exitedOnce = new Promise<number>((r) => (exited = r));
  const proc: ProcessLike = {
    on: (event: string, listener: (...a: unknown[]) => void) => emitter.on(event, listener),
    exit: (code: number) => {
      exits.push(code);
      exited(code);
    },
  } as ProcessLike;
  return { proc, emit: (e: string, ...a: unknown[]) => emitter.emit(e, ...a), exits, exitedOnce };
}

function service(over: Partial<Service> = {}): Service & { stops: number } {
  const s = {
    stops: 0,
    start: async () => {},
    stop: async () => {
      s.stops++;
    },
    ...over,
  };
  return s;
}

const opts = (proc: ProcessLike, shutdownTimeoutMs = 1000) => ({
  logger: silentLogger(),
  shutdownTimeoutMs,
  process: proc,
});

describe('runService', () => {
  it('exits 0 after a clean stop on SIGTERM', async () => {
    const p = fakeProcess();
    const s = service();
    await runService(s, opts(p.proc));
    p.emit('SIGTERM');
    expect(await p.exitedOnce).toBe(0);
    expect(s.stops).toBe(1);
  });

  it('exits 1 at once on a second signal', async () => {
    const p = fakeProcess();
    await runService(service({ stop: () => new Promise(() => {}) }), opts(p.proc, 60_000));
    p.emit('SIGINT');
    p.emit('SIGINT');
    expect(await p.exitedOnce).toBe(1);
  });

  it('exits 1 when stop outlives the deadline', async () => {
    const p = fakeProcess();
    await runService(service({ stop: () => new Promise(() => {}) }), opts(p.proc, 20));
    p.emit('SIGTERM');
    expect(await p.exitedOnce).toBe(1);
  });

  it('stops and exits 1 when the service crashes', async () => {
    const p = fakeProcess();
    let crash: (e: unknown) => void = () => {};
    const s = service({ finished: new Promise<void>((_, reject) => (crash = reject)) });
    await runService(s, opts(p.proc));
    crash(new Error('kafkajs gave up'));
    expect(await p.exitedOnce).toBe(1);
    expect(s.stops).toBe(1);
  });

  it('lets a stop begun by a crash finish when a signal comes, and exits at once only on a second one', async () => {
    // `npm start` when its terminal closes: a service of the same process group exits on the hangup and is seen
    // first (a crash of the CLI), then the CLI's own SIGHUP arrives while its cleanups run.
    const p = fakeProcess();
    let crash: (e: unknown) => void = () => {};
    let release: () => void = () => {};
    const cleanups = new Promise<void>((r) => (release = r));
    const s = service({ finished: new Promise<void>((_, reject) => (crash = reject)), stop: () => cleanups });
    await runService(s, opts(p.proc, 60_000));
    crash(new Error('producer exited with 0; stopping'));
    await new Promise((r) => setImmediate(r));
    p.emit('SIGHUP');
    await new Promise((r) => setImmediate(r));
    expect(p.exits).toEqual([]);
    release();
    expect(await p.exitedOnce).toBe(1);

    const q = fakeProcess();
    let crash2: (e: unknown) => void = () => {};
    await runService(
      service({ finished: new Promise<void>((_, reject) => (crash2 = reject)), stop: () => new Promise(() => {}) }),
      opts(q.proc, 60_000),
    );
    crash2(new Error('crashed'));
    await new Promise((r) => setImmediate(r));
    q.emit('SIGHUP');
    q.emit('SIGINT');
    expect(await q.exitedOnce).toBe(1);
  });

  it('exits 1 when start fails', async () => {
    const p = fakeProcess();
    await runService(service({ start: () => Promise.reject(new Error('no broker at 127.0.0.1:1')) }), opts(p.proc));
    expect(await p.exitedOnce).toBe(1);
  });

  it('exits 0 after a clean stop on SIGHUP (a closed terminal)', async () => {
    const p = fakeProcess();
    const s = service();
    await runService(s, opts(p.proc));
    p.emit('SIGHUP');
    expect(await p.exitedOnce).toBe(0);
    expect(s.stops).toBe(1);
  });

  it('exits 0 once a finished CLI has run its stop', async () => {
    const p = fakeProcess();
    let done: () => void = () => {};
    const s = service({ finished: new Promise<void>((r) => (done = r)) });
    await runService(s, opts(p.proc));
    done();
    expect(await p.exitedOnce).toBe(0);
    expect(s.stops).toBe(1);
  });

  it('finishes every cleanup when stdout is closed during the stop (EPIPE), instead of exiting at once', async () => {
    const p = fakeProcess();
    const stdout = new EventEmitter();
    const proc = { ...p.proc, stdout } as unknown as ProcessLike;
    const steps: string[] = [];
    let release: () => void = () => {};
    const s = service({
      stop: async () => {
        steps.push('stop replay');
        await new Promise<void>((r) => (release = r));
        steps.push('stop broker');
      },
    });
    await runService(s, opts(proc));
    p.emit('SIGHUP');
    // What a closed terminal does to the next writes: an 'error' on the stream, an uncaught EPIPE elsewhere.
    stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    p.emit('uncaughtException', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    p.emit('uncaughtException', new Error('a write to a destroyed logger'));
    expect(p.exits).toEqual([]);
    release();
    expect(await p.exitedOnce).toBe(0);
    expect(steps).toEqual(['stop replay', 'stop broker']);
  });

  it('stops and exits 1 on an uncaught exception', async () => {
    const p = fakeProcess();
    const s = service();
    await runService(s, opts(p.proc));
    p.emit('uncaughtException', new Error('bug'));
    expect(await p.exitedOnce).toBe(1);
    expect(s.stops).toBe(1);
  });
});

describe('exitOnStartupError', () => {
  it('prints every bad variable and exits 1', () => {
    const lines: string[] = [];
    const exits: number[] = [];
    exitOnStartupError('svc', { exit: (c: number) => void exits.push(c) }, (l) => lines.push(l))(
      new ConfigError([
        { variable: 'KAFKA_BROKERS', message: 'required' },
        { variable: 'BATCH_SIZE', message: 'must be positive' },
      ]),
    );
    expect(lines).toEqual([
      'svc: cannot start: invalid configuration:\n  KAFKA_BROKERS: required\n  BATCH_SIZE: must be positive',
    ]);
    expect(exits).toEqual([1]);
  });

  it('prints the error message for other startup failures', () => {
    const lines: string[] = [];
    exitOnStartupError('svc', { exit: () => {} }, (l) => lines.push(l))(
      new Error('model file not found: models/x.onnx'),
    );
    expect(lines).toEqual(['svc: cannot start: model file not found: models/x.onnx']);
  });
});
