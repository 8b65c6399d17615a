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
    let calls = 0;
    let backoffs = 0;
    const p = retry(
      async () => {
        calls++;
        throw new Error('down');
      },
      {
        // A backoff far longer than the test may take: only the abort can end it.
        retries: 10,
        initialMs: 600_000,
        maxMs: 600_000,
        signal: ac.signal,
        onRetry: () => {
          backoffs++;
          // After the backoff has begun (onRetry runs just before it), on a later turn of the event loop.
          setImmediate(() => ac.abort(new Error('shutdown')));
        },
      },
    );
    await expect(p).rejects.toMatchObject({ code: 'ABORTED', retriable: false, cause: expect.any(Error) });
    expect(calls).toBe(1);
    expect(backoffs).toBe(1);
  }, 10_000);

  it('waits at least what the error asks for (retry-after)', async () => {
    const delays: number[] = [];
    const err = await retry(
      async () => {
        throw Object.assign(new Error('busy'), { retriable: true });
      },
      { retries: 1, initialMs: 1, maxMs: 1, retryAfterMs: () => 30, onRetry: (_e, _a, ms) => delays.push(ms) },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(delays).toEqual([30]);
  });

  it('retries an unknown error (no retriable flag), bounded', async () => {
    let calls = 0;
    const err = await retry(
      async () => {
        calls++;
        throw 'a string, not even an Error';
      },
      { retries: 2, initialMs: 1, maxMs: 1 },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RETRIES_EXHAUSTED', context: { attempts: 3 } });
    expect(calls).toBe(3);
  });

  it("lets a transport's classifier overrule an error's own flag", async () => {
    let calls = 0;
    const wrapped = Object.assign(new Error('gave up'), { retriable: false, name: 'Wrapped' });
    await retry(
      async () => {
        if (++calls < 2) throw wrapped;
        return 'ok';
      },
      { retries: 3, initialMs: 1, maxMs: 1, classify: (e) => ((e as Error).name === 'Wrapped' ? true : undefined) },
    );
    expect(calls).toBe(2);
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
