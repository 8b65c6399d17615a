import { aCompleted, aPaid, aStarted } from '@ridestream/features/testing';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createTracing, silentLogger } from '@ridestream/runtime';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { registerRidesRoute } from '../src/index';

const ride = aStarted;

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function build(publish: (m: readonly OutgoingMessage[]) => Promise<void>, bodyLimit = 64 * 1024) {
  const app = Fastify({ bodyLimit });
  apps.push(app);
  registerRidesRoute(app, {
    topic: 'rides',
    publish,
    maxRidesPerRequest: 100,
    logger: silentLogger(),
    registry: new Registry(),
  });
  return app;
}

describe('POST /rides', () => {
  it('returns 202 and publishes one ride keyed by its id', async () => {
    const sent: OutgoingMessage[] = [];
    const res = await build(async (m) => void sent.push(...m)).inject({
      method: 'POST',
      url: '/rides',
      payload: ride('a'),
      headers: { traceparent: '00-t-s-01' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ stream: 'rides', key: 'a', headers: { traceparent: '00-t-s-01' } });
    expect(JSON.parse(String(sent[0]!.value))).toEqual(ride('a'));
  });

  it('returns 202 for a batch and publishes every ride', async () => {
    const sent: OutgoingMessage[] = [];
    const res = await build(async (m) => void sent.push(...m)).inject({
      method: 'POST',
      url: '/rides',
      payload: [ride('a'), ride('b')],
    });
    expect(res.statusCode).toBe(202);
    expect(sent.map((m) => m.key)).toEqual(['a', 'b']);
  });

  it('returns 202 for a batch of every event type and publishes them in request order, keyed by ride id', async () => {
    const sent: OutgoingMessage[] = [];
    const events = [aStarted('a'), aStarted('b'), aCompleted('a'), aPaid('a')];
    const res = await build(async (m) => void sent.push(...m)).inject({
      method: 'POST',
      url: '/rides',
      payload: events,
    });
    expect(res.statusCode).toBe(202);
    expect(sent.map((m) => [m.key, JSON.parse(String(m.value)).type])).toEqual([
      ['a', 'ride.started'],
      ['b', 'ride.started'],
      ['a', 'ride.completed'],
      ['a', 'ride.paid'],
    ]);
  });

  it('returns 202 for late and repeated events and publishes them as they come (no reordering, no dedup)', async () => {
    // The producer is stateless: the consumers score each event on its own, a duplicate gets the same prediction id.
    const sent: OutgoingMessage[] = [];
    const events = [aCompleted('late'), aStarted('late'), aStarted('late')];
    const res = await build(async (m) => void sent.push(...m)).inject({
      method: 'POST',
      url: '/rides',
      payload: events,
    });
    expect(res.statusCode).toBe(202);
    expect(sent.map((m) => JSON.parse(String(m.value)).eventId)).toEqual([
      'late:completed',
      'late:started',
      'late:started',
    ]);
  });

  it.each([
    ['a v1 ride event', { schemaVersion: 1 }, 'schemaVersion', /retired/],
    ['an unknown type', { type: 'ride.cancelled' }, 'type', /./],
  ])('rejects %s with 400 naming the field', async (_, override, field, message) => {
    const res = await build(async () => {}).inject({ method: 'POST', url: '/rides', payload: aStarted('a', override) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field });
    expect(res.json().issues[0].message).toMatch(message);
  });

  it('rejects a drop-off before its pickup with 400 naming occurredAt', async () => {
    const res = await build(async () => {}).inject({
      method: 'POST',
      url: '/rides',
      payload: [aStarted('a'), aCompleted('a', { occurredAt: '2024-01-15T08:00:00-05:00' })],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: '[1].occurredAt' });
  });

  it('rejects a bad ride with 400 naming the field, and publishes nothing of the request', async () => {
    const sent: OutgoingMessage[] = [];
    const res = await build(async (m) => void sent.push(...m)).inject({
      method: 'POST',
      url: '/rides',
      payload: [ride('a'), ride('b', { doLocationId: 300 })],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: '[1].doLocationId' });
    expect(sent).toEqual([]);
  });

  it('rejects an oversized batch with 400', async () => {
    const res = await build(async () => {}, 10_000_000).inject({
      method: 'POST',
      url: '/rides',
      payload: Array.from({ length: 101 }, (_, i) => ride(`r${i}`)),
    });
    expect(res.statusCode).toBe(400);
  });

  it('rejects a body over the limit with 413', async () => {
    const res = await build(async () => {}, 1024).inject({
      method: 'POST',
      url: '/rides',
      payload: Array.from({ length: 50 }, (_, i) => ride(`r${i}`)),
    });
    expect(res.statusCode).toBe(413);
  });

  it('rejects a non-JSON content type with 415', async () => {
    const res = await build(async () => {}).inject({
      method: 'POST',
      url: '/rides',
      payload: 'rideId=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(415);
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await build(async () => {}).inject({
      method: 'POST',
      url: '/rides',
      payload: '{"rideId":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
  });

  it('returns 503 with retry-after when the broker does not acknowledge', async () => {
    const res = await build(async () => Promise.reject(new Error('broker down'))).inject({
      method: 'POST',
      url: '/rides',
      payload: ride('a'),
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
  });
});

describe('POST /rides content types', () => {
  it('rejects text/plain with 415', async () => {
    const res = await build(async () => {}).inject({
      method: 'POST',
      url: '/rides',
      payload: JSON.stringify(ride('a')),
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.statusCode).toBe(415);
  });
});

describe('POST /rides tracing', () => {
  it("returns messages whose traceparent continues the caller's trace through a producer span", async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({ serviceName: 'producer', exporter });
    const app = Fastify();
    apps.push(app);
    const sent: OutgoingMessage[] = [];
    registerRidesRoute(app, {
      topic: 'rides',
      publish: async (m) => void sent.push(...m),
      maxRidesPerRequest: 10,
      logger: silentLogger(),
      registry: new Registry(),
      tracer: tracing.tracer,
    });
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    const res = await app.inject({
      method: 'POST',
      url: '/rides',
      payload: ride('a'),
      headers: { traceparent: `00-${callerTrace}-b7ad6b7169203331-01` },
    });
    expect(res.statusCode).toBe(202);
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('publish rides');
    expect(span!.spanContext().traceId).toBe(callerTrace);
    expect(span!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(sent[0]!.headers?.traceparent).toBe(`00-${callerTrace}-${span!.spanContext().spanId}-01`);
    await tracing.shutdown();
  });
});
