/**
 * The producer service on an injected publisher: the HTTP behaviour, readiness and metrics are the transport's
 * business only through `RidesPublisher`. Requests go through `inject`; nothing listens.
 */
import {
  acceptedResponseSchema,
  errorResponseSchema,
  invalidRideResponseSchema,
  producerOpenApi,
} from '@ridestream/contracts';
import { aStarted } from '@ridestream/features/testing';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { silentLogger } from '@ridestream/runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createProducerService,
  DEFAULT_COALESCING,
  type CoalescingOptions,
  type ProducerService,
  type RidesPublisher,
} from '../src/index';

interface FakePublisher extends RidesPublisher {
  readonly calls: string[];
  readonly sent: OutgoingMessage[];
}

function fakePublisher(o: { failPublish?: boolean; failStart?: boolean } = {}): FakePublisher {
  const calls: string[] = [];
  const sent: OutgoingMessage[] = [];
  return {
    transport: 'fake',
    destination: 'rides-fake',
    calls,
    sent,
    prepare: async () => void calls.push('prepare'),
    start: async () => {
      calls.push('start');
      if (o.failStart) throw new Error('stream not found');
    },
    publish: async (messages) => {
      if (o.failPublish) throw new Error('throttled');
      sent.push(...messages);
    },
    stop: async () => void calls.push('stop'),
  };
}

const services: ProducerService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
});

function build(
  publisher: RidesPublisher,
  createResources = false,
  coalescing: CoalescingOptions = DEFAULT_COALESCING,
): ProducerService {
  const service = createProducerService({
    publisher,
    createResources,
    coalescing,
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: 64 * 1024,
    maxRidesPerRequest: 100,
    logger: silentLogger(),
  });
  services.push(service);
  return service;
}

const post = (s: ProducerService, payload: object) => s.http.app.inject({ method: 'POST', url: '/rides', payload });

describe('createProducerService on an injected publisher', () => {
  it("returns 202 once the publisher has the rides, each keyed by its id on the publisher's destination", async () => {
    const publisher = fakePublisher();
    const s = build(publisher);
    const res = await post(s, [aStarted('a'), aStarted('b')]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2 });
    expect(publisher.sent.map((m) => [m.stream, m.key])).toEqual([
      ['rides-fake', 'a'],
      ['rides-fake', 'b'],
    ]);
    expect(JSON.parse(String(publisher.sent[1]!.value))).toEqual(aStarted('b'));
    const metrics = (await s.http.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^ridestream_rides_accepted_total\{service="producer"\} 2$/m);
  });

  it('rejects a bad ride with 400 naming the field, and publishes nothing of the request', async () => {
    const publisher = fakePublisher();
    const res = await post(build(publisher), [aStarted('a'), aStarted('b', { puLocationId: 0 })]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: '[1].puLocationId' });
    expect(publisher.sent).toEqual([]);
  });

  it('returns 503 with retry-after when the publisher fails', async () => {
    const s = build(fakePublisher({ failPublish: true }));
    const res = await post(s, aStarted('a'));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    const metrics = (await s.http.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^ridestream_rides_rejected_requests_total\{status="503",service="producer"\} 1$/m);
  });

  it('answers 503 "producer busy" with retry-after while the publish queue is full, and 202 to the requests it queued', async () => {
    let release = () => {};
    const sent: string[] = [];
    const publisher: RidesPublisher = {
      ...fakePublisher(),
      publish: (messages) =>
        new Promise<void>((resolve) => {
          sent.push(...messages.map((m) => m.key));
          release = resolve;
        }),
    };
    const s = build(publisher, false, { ...DEFAULT_COALESCING, maxInFlight: 1, maxQueuedRecords: 1 });
    const inFlight = post(s, aStarted('a'));
    await vi.waitFor(() => expect(sent).toEqual(['a']));
    const queued = post(s, aStarted('b'));
    await vi.waitFor(async () => {
      const metrics = (await s.http.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^ridestream_publish_queued_rides\{service="producer"\} 1$/m);
    });
    const refused = await post(s, aStarted('c'));
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toEqual({ error: 'producer busy, retry later', retriable: true });
    release();
    await vi.waitFor(() => expect(sent).toEqual(['a', 'b']));
    release();
    expect((await inFlight).statusCode).toBe(202);
    expect((await queued).statusCode).toBe(202);
  });

  it('rejects a method other than POST on /rides with 405 and Allow: POST', async () => {
    const res = await build(fakePublisher()).http.app.inject({ method: 'GET', url: '/rides' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });

  it('returns its OpenAPI document at GET /openapi.json, and bodies of the shapes it documents', async () => {
    const s = build(fakePublisher());
    const doc = await s.http.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(doc.json()).toEqual(JSON.parse(JSON.stringify(producerOpenApi())));
    expect(acceptedResponseSchema.strict().safeParse((await post(s, aStarted('a'))).json()).error).toBeUndefined();
    const bad = await post(s, aStarted('b', { puLocationId: 0 }));
    expect(invalidRideResponseSchema.strict().safeParse(bad.json()).error).toBeUndefined();
    const down = await post(build(fakePublisher({ failPublish: true })), aStarted('c'));
    expect(errorResponseSchema.strict().safeParse(down.json()).error).toBeUndefined();
  });

  it.each([
    [true, ['prepare', 'start']],
    [false, ['start']],
  ])(
    'fails to start when the publisher cannot, not ready, not listening (createResources=%s prepares first)',
    async (createResources, expected) => {
      const publisher = fakePublisher({ failStart: true });
      const s = build(publisher, createResources);
      await expect(s.start()).rejects.toThrow('stream not found');
      expect(publisher.calls).toEqual(expected);
      expect(s.http.app.server.listening).toBe(false);
      expect((await s.http.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    },
  );

  it('stops the publisher once, however often stop() is called', async () => {
    const publisher = fakePublisher();
    const s = build(publisher);
    const first = s.stop();
    expect(s.stop()).toBe(first);
    await first;
    expect(publisher.calls).toEqual(['stop']);
  });
});
