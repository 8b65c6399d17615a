import { afterEach, describe, expect, it, vi } from 'vitest';
import { IngestError, replayRides } from '../src/index';

/** The producer's answers, in order (then 202s); fetch is stubbed: unit tests touch no network. */
function producer(answers: readonly (number | 'refused')[], headers: Record<string, string> = {}) {
  const calls: string[] = [];
  let i = 0;
  vi.stubGlobal('fetch', async (url: URL) => {
    calls.push(url.href);
    const a = answers[i++] ?? 202;
    if (a === 'refused')
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'refused' } });
    return new Response(a === 202 ? '' : `{"error":"answer ${a}"}`, { status: a, headers });
  });
  return calls;
}

const events = [{ occurredAt: '2024-01-01T00:00:00Z' }, { occurredAt: '2024-01-01T00:00:01Z' }];
const base = { events, url: 'http://producer.test', ratePerSec: 0, batchSize: 1, concurrency: 1 };
const fast = { retries: 3, initialMs: 1, maxMs: 1 };

afterEach(() => vi.unstubAllGlobals());

describe('replayRides retries', () => {
  it('returns once a busy producer (503, 429) and a refused connection pass', async () => {
    const calls = producer([503, 429, 'refused'], { 'retry-after': '0' });
    const result = await replayRides({ ...base, retry: fast });
    expect(result.sent).toBe(2);
    expect(calls).toHaveLength(5);
  });

  it('fails with REPLAY_GAVE_UP naming the request and the last answer when 503s outlast the retries', async () => {
    const calls = producer([503, 503, 503, 503, 503], { 'retry-after': '0' });
    const err = await replayRides({ ...base, retry: fast }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect(err).toMatchObject({
      code: 'REPLAY_GAVE_UP',
      context: { url: 'http://producer.test/rides', events: [0, 1], attempts: 4 },
    });
    expect((err as Error).message).toMatch(/POST http:\/\/producer\.test\/rides \(events 0\.\.0\).*answered 503/);
    expect(calls).toHaveLength(4);
  });

  it('fails at once with PRODUCER_REJECTED on a 400', async () => {
    const calls = producer([400]);
    await expect(replayRides({ ...base, retry: fast })).rejects.toMatchObject({
      code: 'PRODUCER_REJECTED',
      context: { status: 400 },
    });
    expect(calls).toHaveLength(1);
  });

  it('fails naming the refused connection when the producer stays down', async () => {
    producer(['refused', 'refused', 'refused', 'refused']);
    await expect(replayRides({ ...base, retry: fast })).rejects.toThrow(/gave up.*producer unreachable: ECONNREFUSED/);
  });

  it('fails with ABORTED when stopped during a backoff', async () => {
    const ac = new AbortController();
    producer([503], { 'retry-after': '600' });
    const p = replayRides({ ...base, signal: ac.signal, retry: { retries: 5, initialMs: 1, maxMs: 1 } });
    // The producer asked for ten minutes: only the abort ends this backoff.
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  }, 10_000);
});
