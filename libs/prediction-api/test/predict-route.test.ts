import { invalidRideResponseSchema, predictResponseSchema, predictionApiOpenApi } from '@ridestream/contracts';
import { FEATURE_SPECS } from '@ridestream/features';
import { aCompleted, aPaid, aStarted } from '@ridestream/features/testing';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { registerPredictRoute, type RouteScorer } from '../src/index';

const D = FEATURE_SPECS.duration;
const T = FEATURE_SPECS.tip;
const col = (names: readonly string[], name: string) => names.indexOf(name);

/** Stand-in models over the real feature matrices: duration = 4 x planned distance, tip = 0.2 x fare. */
const scorers: RouteScorer[] = [
  {
    kind: 'duration',
    model: { name: 'ride-duration', version: '3' },
    predict: async (f, n) =>
      Float32Array.from({ length: n }, (_, i) => f[i * D.count + col(D.names, 'planned_distance')]! * 4),
  },
  {
    kind: 'tip',
    model: { name: 'ride-tip', version: '5' },
    predict: async (f, n) =>
      Float32Array.from({ length: n }, (_, i) => f[i * T.count + col(T.names, 'fare_amount')]! * 0.2),
  },
];

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
function build(bodyLimit = 64 * 1024) {
  const app = Fastify({ bodyLimit });
  apps.push(app);
  registerPredictRoute(app, {
    scorers,
    maxRidesPerRequest: 10,
    registry: new Registry(),
    now: () => new Date('2024-01-15T13:30:00Z'),
  });
  return app;
}

describe('POST /predict', () => {
  it('returns a duration for a ride.started and a tip for a ride.completed, in request order, with model versions', async () => {
    const res = await build().inject({
      method: 'POST',
      url: '/predict',
      payload: [aStarted('a'), aCompleted('b', { fareAmount: 10 }), aStarted('b', { plannedDistance: 1 })],
    });
    expect(res.statusCode).toBe(200);
    const [a, bDone, bStart] = res.json().predictions;
    expect([a, bDone, bStart].map((p) => p.eventId)).toEqual(['a:started', 'b:completed', 'b:started']);
    expect(bStart.duration).toMatchObject({
      value: 4,
      unit: 'minutes',
      model: { name: 'ride-duration', version: '3' },
      event: { type: 'ride.started', id: 'b:started' },
      eventTime: aStarted().occurredAt,
    });
    expect(bStart.tip).toBeUndefined();
    expect(bDone.tip).toMatchObject({
      value: 2,
      unit: 'USD',
      model: { name: 'ride-tip', version: '5' },
      event: { type: 'ride.completed', id: 'b:completed' },
    });
    expect(bDone.duration).toBeUndefined();
    expect(a.duration.predictionId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('returns no prediction for a ride.paid (no model scores it), only its ids', async () => {
    const res = await build().inject({ method: 'POST', url: '/predict', payload: aPaid('a') });
    expect(res.statusCode).toBe(200);
    expect(res.json().predictions).toEqual([{ rideId: 'a', eventId: 'a:paid', type: 'ride.paid' }]);
  });

  it('returns the same prediction id for a duplicate event', async () => {
    const res = await build().inject({ method: 'POST', url: '/predict', payload: [aStarted('a'), aStarted('a')] });
    const [first, again] = res.json().predictions;
    expect(again.duration.predictionId).toBe(first.duration.predictionId);
  });

  it('rejects a bad field with 400 naming it', async () => {
    const res = await build().inject({
      method: 'POST',
      url: '/predict',
      payload: aStarted('a', { occurredAt: '2024-01-15 08:30' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('occurredAt');
  });

  it('rejects a v1 ride event with 400 naming schemaVersion', async () => {
    const res = await build().inject({ method: 'POST', url: '/predict', payload: aStarted('a', { schemaVersion: 1 }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('schemaVersion');
  });

  it('rejects a body over the limit with 413 and a wrong content type with 415', async () => {
    const big = await build(512).inject({
      method: 'POST',
      url: '/predict',
      payload: [aStarted('a'), aStarted('b'), aStarted('c')],
    });
    expect(big.statusCode).toBe(413);
    const text = await build().inject({
      method: 'POST',
      url: '/predict',
      payload: 'a',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.statusCode).toBe(415);
  });

  it.each(['GET', 'PUT', 'DELETE', 'TRACE'] as const)('rejects %s with 405 and Allow: POST', async (method) => {
    const res = await build().inject({ method, url: '/predict' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });

  it('returns its OpenAPI document at GET /openapi.json, and bodies of the shapes it documents', async () => {
    const app = build();
    const doc = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(doc.json()).toEqual(JSON.parse(JSON.stringify(predictionApiOpenApi())));
    const ok = await app.inject({ method: 'POST', url: '/predict', payload: [aStarted('a'), aCompleted('b')] });
    expect(predictResponseSchema.strict().safeParse(ok.json()).error).toBeUndefined();
    const bad = await app.inject({ method: 'POST', url: '/predict', payload: { ...aStarted('a'), vendorId: 0 } });
    expect(invalidRideResponseSchema.safeParse(bad.json()).error).toBeUndefined();
  });
});
