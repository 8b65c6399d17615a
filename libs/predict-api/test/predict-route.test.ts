import { invalidRideResponseSchema, predictResponseSchema, predictionApiOpenApi } from '@ridestream/contracts';
import { sampleRide } from '@ridestream/features/testing';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { registerPredictRoute, type RouteScorer } from '../src/index';

const ride = sampleRide;

/** Stand-in models over the real feature matrix: duration = 4 x distance, tip = 0.2 x fare. */
const scorers: RouteScorer[] = [
  {
    kind: 'duration',
    model: { name: 'ride-duration', version: '3' },
    predict: async (f, n) => Float32Array.from({ length: n }, (_, i) => f[i * 14]! * 4),
  },
  {
    kind: 'tip',
    model: { name: 'ride-tip', version: '5' },
    predict: async (f, n) => Float32Array.from({ length: n }, (_, i) => f[i * 14 + 1]! * 0.2),
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
  it('returns both predictions for each ride, in request order, stamped with model versions', async () => {
    const res = await build().inject({
      method: 'POST',
      url: '/predict',
      payload: [ride('a'), ride('b', { tripDistance: 1, fareAmount: 10 })],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.predictions.map((p: { rideId: string }) => p.rideId)).toEqual(['a', 'b']);
    expect(body.predictions[1].duration).toMatchObject({
      value: 4,
      unit: 'minutes',
      model: { name: 'ride-duration', version: '3' },
    });
    expect(body.predictions[1].tip).toMatchObject({ value: 2, unit: 'USD', model: { name: 'ride-tip', version: '5' } });
    expect(body.predictions[0].duration.predictionId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('rejects a bad field with 400 naming it', async () => {
    const res = await build().inject({
      method: 'POST',
      url: '/predict',
      payload: ride('a', { pickupAt: '2024-01-15 08:30' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('pickupAt');
  });

  it('rejects a body over the limit with 413 and a wrong content type with 415', async () => {
    const big = await build(512).inject({
      method: 'POST',
      url: '/predict',
      payload: [ride('a'), ride('b'), ride('c')],
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
    const ok = await app.inject({ method: 'POST', url: '/predict', payload: [ride('a'), ride('b')] });
    expect(predictResponseSchema.strict().safeParse(ok.json()).error).toBeUndefined();
    const bad = await app.inject({ method: 'POST', url: '/predict', payload: { ...ride('a'), vendorId: 0 } });
    expect(invalidRideResponseSchema.safeParse(bad.json()).error).toBeUndefined();
  });
});
