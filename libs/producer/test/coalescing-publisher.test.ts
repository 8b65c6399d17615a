/**
 * The coalescing publisher on a fake transport whose publish calls the test settles by hand: which requests share a
 * publish call, that each request settles with its own batch, backpressure, and stop(). No network, no timing
 * assertions (time is faked where a linger is involved).
 */
import { silentLogger } from '@ridestream/runtime';
import type { OutgoingMessage, RidesPublisher } from '@ridestream/stream-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCoalescingPublisher, IngestError, type CoalescingOptions } from '../src/index';

interface Call {
  readonly keys: string[];
  resolve(): void;
  reject(err: unknown): void;
}

function fakeTransport() {
  const calls: Call[] = [];
  const events: string[] = [];
  const inner: RidesPublisher = {
    transport: 'fake',
    destination: 'rides-fake',
    start: async () => void events.push('start'),
    stop: async () => void events.push('stop'),
    publish: (messages) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ keys: messages.map((m) => m.key), resolve, reject });
      }),
  };
  return { inner, calls, events };
}

const rides = (...keys: string[]): OutgoingMessage[] => keys.map((key) => ({ stream: 'rides-fake', key, value: key }));

const defaults: CoalescingOptions = {
  maxBatchRecords: 100,
  lingerMs: 0,
  maxInFlight: 1,
  maxQueuedRecords: 1000,
  stopTimeoutMs: 60_000,
};

/** Lets queued immediates and promise callbacks run (the linger of 0 is a setImmediate). */
const turn = () => new Promise<void>((r) => setImmediate(r));

/** The state of a promise without waiting for it. */
function track(p: Promise<void>) {
  const t: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  p.then(
    () => (t.state = 'resolved'),
    (error: unknown) => Object.assign(t, { state: 'rejected', error }),
  );
  return t;
}

function build(o: Partial<CoalescingOptions> = {}) {
  const t = fakeTransport();
  const publisher = createCoalescingPublisher(t.inner, { ...defaults, ...o, logger: silentLogger() });
  return { ...t, publisher };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createCoalescingPublisher', () => {
  it('sends concurrent requests in one publish call, in arrival order', async () => {
    const { publisher, calls } = build();
    const all = Promise.all([
      publisher.publish(rides('a')),
      publisher.publish(rides('b', 'c')),
      publisher.publish(rides('d')),
    ]);
    await turn();
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b', 'c', 'd']]);
    calls[0]!.resolve();
    await expect(all).resolves.toBeDefined();
  });

  it('caps a batch at maxBatchRecords without splitting a request, and keeps maxInFlight calls in flight', async () => {
    const { publisher, calls } = build({ maxBatchRecords: 3, maxInFlight: 2 });
    const ps = [rides('a', 'b'), rides('c'), rides('d', 'e'), rides('f', 'g', 'h', 'i'), rides('j')].map((m) =>
      publisher.publish(m),
    );
    await turn();
    // Two in flight; the request of four goes alone once a slot frees (never split), then the rest.
    expect(calls.map((c) => c.keys)).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    calls[0]!.resolve();
    await turn();
    expect(calls.map((c) => c.keys).slice(2)).toEqual([['f', 'g', 'h', 'i']]);
    calls[1]!.resolve();
    await turn();
    expect(calls.map((c) => c.keys).slice(3)).toEqual([['j']]);
    calls[2]!.resolve();
    calls[3]!.resolve();
    await expect(Promise.all(ps)).resolves.toBeDefined();
  });

  it('gathers the next batch while one is in flight, and resolves each request only when its own batch is acknowledged', async () => {
    const { publisher, calls } = build();
    const a = track(publisher.publish(rides('a')));
    await turn();
    const b = track(publisher.publish(rides('b')));
    const c = track(publisher.publish(rides('c')));
    await turn();
    expect(calls.map((x) => x.keys)).toEqual([['a']]);
    expect(publisher.queuedRecords()).toBe(2);
    calls[0]!.resolve();
    await turn();
    expect([a.state, b.state, c.state]).toEqual(['resolved', 'pending', 'pending']);
    expect(calls.map((x) => x.keys)).toEqual([['a'], ['b', 'c']]);
    calls[1]!.resolve();
    await turn();
    expect([b.state, c.state]).toEqual(['resolved', 'resolved']);
  });

  it('fails exactly the requests of a failed batch, with a retriable PUBLISH_FAILED carrying the cause', async () => {
    const { publisher, calls } = build({ maxBatchRecords: 2, maxInFlight: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((k) => track(publisher.publish(rides(k))));
    await turn();
    expect(calls.map((x) => x.keys)).toEqual([['a', 'b'], ['c']]);
    const cause = new Error('NOT_LEADER_FOR_PARTITION');
    calls[0]!.reject(cause);
    calls[1]!.resolve();
    await turn();
    expect([a!.state, b!.state, c!.state]).toEqual(['rejected', 'rejected', 'resolved']);
    expect(a!.error).toBeInstanceOf(IngestError);
    expect(a!.error).toMatchObject({ code: 'PUBLISH_FAILED', retriable: true, cause });
    expect((a!.error as Error).message).toMatch(/NOT_LEADER_FOR_PARTITION/);
  });

  it('fails a batch whose publish throws synchronously, and carries on with the next', async () => {
    const t = fakeTransport();
    let first = true;
    const inner: RidesPublisher = {
      ...t.inner,
      publish: (m) => {
        if (first) {
          first = false;
          throw new Error('boom');
        }
        return t.inner.publish(m);
      },
    };
    const publisher = createCoalescingPublisher(inner, { ...defaults, logger: silentLogger() });
    const a = track(publisher.publish(rides('a')));
    await turn();
    const b = track(publisher.publish(rides('b')));
    await turn();
    t.calls[0]!.resolve();
    await turn();
    expect(a.error).toMatchObject({ code: 'PUBLISH_FAILED' });
    expect(b.state).toBe('resolved');
  });

  it('refuses a request with PUBLISH_QUEUE_FULL while maxQueuedRecords wait, and takes requests again once they drain', async () => {
    const { publisher, calls } = build({ maxQueuedRecords: 3 });
    const first = publisher.publish(rides('a'));
    await turn();
    const waiting = publisher.publish(rides('b', 'c', 'd'));
    await expect(publisher.publish(rides('e'))).rejects.toMatchObject({ code: 'PUBLISH_QUEUE_FULL', retriable: true });
    calls[0]!.resolve();
    await turn();
    const later = publisher.publish(rides('f'));
    calls[1]!.resolve();
    await turn();
    expect(calls.map((c) => c.keys)).toEqual([['a'], ['b', 'c', 'd'], ['f']]);
    calls[2]!.resolve();
    await expect(Promise.all([first, waiting, later])).resolves.toBeDefined();
  });

  it('takes a request larger than maxQueuedRecords when nothing waits', async () => {
    const { publisher, calls } = build({ maxQueuedRecords: 2 });
    const big = publisher.publish(rides('a', 'b', 'c'));
    await turn();
    calls[0]!.resolve();
    await expect(big).resolves.toBeUndefined();
  });

  it('sends a batch lingerMs after its first request, not before, unless it is full', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { publisher, calls } = build({ lingerMs: 50, maxBatchRecords: 3 });
    void publisher.publish(rides('a'));
    void publisher.publish(rides('b'));
    await vi.advanceTimersByTimeAsync(49);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b']]);
    calls[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    void publisher.publish(rides('c'));
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1);
    // Full while the linger of 'c' runs: sent at once.
    void publisher.publish(rides('d', 'e'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.keys)[1]).toEqual(['c', 'd', 'e']);
  });

  it('stop() sends what waits, resolves it once acknowledged, refuses new requests, then stops the transport', async () => {
    const { publisher, calls, events } = build({ lingerMs: 60_000 });
    const a = track(publisher.publish(rides('a')));
    const stopped = publisher.stop();
    await turn();
    expect(calls.map((c) => c.keys)).toEqual([['a']]);
    await expect(publisher.publish(rides('b'))).rejects.toMatchObject({ code: 'PUBLISHER_STOPPED', retriable: true });
    expect(events).toEqual([]);
    calls[0]!.resolve();
    await stopped;
    expect(a.state).toBe('resolved');
    expect(events).toEqual(['stop']);
    expect(publisher.stop()).toBe(stopped);
  });

  it('stop() fails the requests still unanswered after stopTimeoutMs, and stops the transport anyway', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { publisher, calls, events } = build({ stopTimeoutMs: 1000 });
    const a = track(publisher.publish(rides('a')));
    await vi.advanceTimersByTimeAsync(0);
    await turn();
    const b = track(publisher.publish(rides('b')));
    const stopped = publisher.stop();
    await vi.advanceTimersByTimeAsync(999);
    expect([a.state, b.state, events]).toEqual(['pending', 'pending', []]);
    await vi.advanceTimersByTimeAsync(1);
    await stopped;
    expect(a.error).toMatchObject({ code: 'PUBLISH_FAILED', retriable: true });
    expect(b.error).toMatchObject({ code: 'PUBLISHER_STOPPED', retriable: true });
    expect(events).toEqual(['stop']);
    // An acknowledgement after the deadline changes nothing: the request was already answered as failed.
    calls[0]!.resolve();
    await turn();
    expect(a.state).toBe('rejected');
  });

  it.each([
    [{ maxBatchRecords: 0 }, /maxBatchRecords/],
    [{ maxInFlight: 1.5 }, /maxInFlight/],
    [{ lingerMs: -1 }, /lingerMs/],
  ])('refuses options %o at construction', (o, message) => {
    expect(() => build(o)).toThrow(message);
  });
});
