/**
 * Issue 16, "untested paths": the abort test beside it aborts before the first backoff has begun (the signal is
 * already aborted when `retry` would sleep). This one aborts while `retry` is waiting out a backoff.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retry } from '../src/index';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('retry', () => {
  it('fails when aborted during a backoff, without another attempt', async () => {
    const ac = new AbortController();
    let attempts = 0;
    let backoffs = 0;
    let outcome: unknown = 'pending';
    void retry(
      async () => {
        attempts++;
        throw new Error('down');
      },
      { retries: 3, initialMs: 10_000, maxMs: 10_000, jitter: 0, signal: ac.signal, onRetry: () => backoffs++ },
    ).then(
      () => (outcome = 'resolved'),
      (err: unknown) => (outcome = err),
    );
    // Half-way through the first 10 s backoff: the first attempt failed and retry is sleeping.
    await vi.advanceTimersByTimeAsync(5_000);
    expect({ attempts, backoffs, outcome }).toEqual({ attempts: 1, backoffs: 1, outcome: 'pending' });

    ac.abort(new Error('shutdown'));
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome, 'settled at the abort, not after the backoff').toMatchObject({
      code: 'ABORTED',
      retriable: false,
    });
    expect((outcome as Error).cause).toMatchObject({ message: 'shutdown' });
    // The rest of the backoff passes: no attempt after the abort.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toBe(1);
  });
});
