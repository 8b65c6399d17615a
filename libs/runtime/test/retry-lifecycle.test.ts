import { describe, expect, it, vi } from 'vitest';
import { backoffMs, once, retry, RetriesExhaustedError, runCleanups, silentLogger, withDeadline } from '../src/index';

describe('retry', () => {
  it('returns the first success', async () => {
    let calls = 0;
    const value = await retry(async () => (++calls < 3 ? Promise.reject(new Error('flaky')) : 'ok'), {
      retries: 5,
      initialMs: 1,
      maxMs: 2,
    });
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('fails at once on a non-retriable error', async () => {
    let calls = 0;
    const fatal = Object.assign(new Error('bad'), { retriable: false });
    await expect(
      retry(
        async () => {
          calls++;
          throw fatal;
        },
        { retries: 5, initialMs: 1, maxMs: 1 },
      ),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it('fails with every attempt kept when retries run out', async () => {
    const err = await retry(
      async (n) => {
        throw new Error(`try ${n}`);
      },
      { retries: 2, initialMs: 1, maxMs: 1 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect((err as RetriesExhaustedError).errors.map((e) => (e as Error).message)).toEqual(['try 0', 'try 1', 'try 2']);
  });

  it('fails when aborted during a backoff', async () => {
    const ac = new AbortController();
    const p = retry(
      async () => {
        throw new Error('down');
      },
      { retries: 10, initialMs: 10_000, maxMs: 10_000, signal: ac.signal },
    );
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('returns capped exponential delays', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, { initialMs: 100, maxMs: 1000 }))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
  });
});

describe('lifecycle helpers', () => {
  it('returns the same promise from a second stop()', async () => {
    const fn = vi.fn(async () => 'stopped');
    const stop = once(fn);
    expect(stop()).toBe(stop());
    await stop();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs every cleanup in order even when one fails', async () => {
    const order: string[] = [];
    const errors = await runCleanups(
      [
        { name: 'commit', run: () => order.push('commit') },
        {
          name: 'flush',
          run: () => {
            order.push('flush');
            throw new Error('broker gone');
          },
        },
        {
          name: 'disconnect',
          run: async () => {
            order.push('disconnect');
          },
        },
      ],
      silentLogger(),
    );
    expect(order).toEqual(['commit', 'flush', 'disconnect']);
    expect(errors).toHaveLength(1);
  });

  it('fails with SHUTDOWN_TIMEOUT when work outlives the deadline', async () => {
    await expect(withDeadline(new Promise(() => {}), 5, 'stop')).rejects.toMatchObject({ code: 'SHUTDOWN_TIMEOUT' });
  });
});
