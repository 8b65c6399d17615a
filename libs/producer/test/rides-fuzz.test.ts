/**
 * Property tests of `POST /rides`: whatever a client sends, the answer is 4xx (never 5xx, never a crash) unless
 * every ride event in it is valid, in which case it is 202; and nothing that is not a valid event is ever published.
 * The oracle is the generators, not the route's own validator: a valid batch is valid by construction and must be
 * published exactly as sent, a broken ride is broken by construction and must publish nothing.
 */
import { aCompleted, aPaid, aStarted } from '@ridestream/features/testing';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { silentLogger } from '@ridestream/runtime';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducerApp } from '../src/index';

const MAX_RIDES = 100;
const sent: OutgoingMessage[] = [];
let app: FastifyInstance;

beforeAll(async () => {
  app = createProducerApp({
    bodyLimitBytes: 1024 * 1024,
    registry: new Registry(),
    isReady: () => true,
    rides: {
      topic: 'rides',
      publish: async (m) => void sent.push(...m),
      maxRidesPerRequest: MAX_RIDES,
      logger: silentLogger(),
      registry: new Registry(),
    },
  });
  await app.ready();
});
afterAll(() => app.close());

const post = (payload: string | Buffer, contentType = 'application/json') =>
  app.inject({ method: 'POST', url: '/rides', payload, headers: { 'content-type': contentType } });

/** What was published is exactly `events`, in order, each keyed by its ride id, as a consumer reads it. */
function expectPublishedExactly(events: readonly unknown[]): void {
  const published = sent.splice(0).map((m) => ({ key: m.key, value: JSON.parse(String(m.value)) as unknown }));
  expect(published).toEqual(
    events.map((e) => ({ key: (e as { rideId?: unknown }).rideId, value: JSON.parse(JSON.stringify(e)) as unknown })),
  );
}

/** Each event type's fixture, with the fields it carries. */
const FACTORIES = [aStarted, aCompleted, aPaid].map((make) => ({ make, fields: Object.keys(make()) }));
const factoryAndField = fc
  .constantFrom(...FACTORIES)
  .chain(({ make, fields }) => fc.tuple(fc.constant(make), fc.constantFrom(...fields)));
const anyFactory = fc.constantFrom(...FACTORIES.map((f) => f.make));
const rideId = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);

/**
 * The contract's field kinds, written here by hand (docs/FEATURES.md) rather than read from the validator: the
 * string fields, the two nullable ones; every other field is a number >= 0.
 */
const STRING_FIELDS = new Set(['type', 'eventId', 'rideId', 'occurredAt', 'startedAt']);
const NULLABLE_FIELDS = new Set(['passengerCount', 'paymentType']);
/** Values that are wrong for `field` by the kinds above: of the wrong type, negative, or null where it is not allowed. */
const wrongValueFor = (field: string) =>
  fc.oneof(
    fc.boolean(),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
    ...(NULLABLE_FIELDS.has(field) ? [] : [fc.constant(null)]),
    // No NaN or infinities: JSON writes them as null, which is a right value for the nullable fields.
    ...(STRING_FIELDS.has(field)
      ? [fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()]
      : [
          fc.string({ maxLength: 20 }),
          fc.integer({ min: -1e9, max: -1 }),
          fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
        ]),
  );

/** A valid ride event (of any type) broken in one way the contract must reject. */
const brokenRide = fc.oneof(
  fc.tuple(rideId, factoryAndField).chain(([id, [make, f]]) => wrongValueFor(f).map((v) => make(id, { [f]: v }))),
  fc.tuple(rideId, factoryAndField).map(([id, [make, f]]) => {
    const r: Record<string, unknown> = { ...make(id) };
    delete r[f];
    return r;
  }),
  fc
    .tuple(
      rideId,
      fc.constantFrom(aStarted, aCompleted),
      fc.constantFrom('puLocationId', 'doLocationId'),
      fc.oneof(fc.integer({ min: 266 }), fc.constant(0)),
    )
    .map(([id, make, f, zone]) => make(id, { [f]: zone })),
  fc
    .tuple(anyFactory, fc.constantFrom('rideId', 'eventId', 'occurredAt'), fc.integer({ min: 97, max: 200_000 }))
    .map(([make, f, n]) => make('x', { [f]: 'a'.repeat(n) })),
  // Retired v1, and a drop-off before its pickup.
  fc.tuple(rideId, anyFactory).map(([id, make]) => make(id, { schemaVersion: 1 })),
  fc
    .tuple(rideId, fc.integer({ min: 1, max: 10_000_000 }))
    .map(([id, ms]) => aCompleted(id, { occurredAt: new Date(Date.parse(aCompleted().startedAt) - ms).toISOString() })),
);

/** Bodies with prototype-pollution keys: Fastify's secure JSON parser refuses them (400). */
const pollution = fc
  .tuple(rideId, fc.constantFrom('__proto__', 'constructor'), fc.boolean())
  .map(([id, key, nested]) => {
    const payload = key === '__proto__' ? '{"polluted":true}' : '{"prototype":{"polluted":true}}';
    const ride = JSON.stringify(aStarted(id)).slice(0, -1) + `,"${key}":${payload}}`;
    return nested ? `[${ride}]` : ride;
  });

/** Arrays or objects nested 100-10,000 deep. */
const deepNesting = fc
  .tuple(fc.integer({ min: 100, max: 10_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

describe('POST /rides under fuzzing', () => {
  it('answers an arbitrary JSON value with 4xx, or 202 only when it is a valid ride batch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const res = await post(JSON.stringify(value) ?? 'null');
        expect(res.statusCode === 202 || (res.statusCode >= 400 && res.statusCode < 500), res.body).toBe(true);
        // Accepted: published as sent, one message per event; refused: nothing published.
        if (res.statusCode === 202) expectPublishedExactly(Array.isArray(value) ? value : [value]);
        else expect(sent.splice(0)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects every broken ride with 4xx, alone or hidden in a batch of valid rides, and publishes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        brokenRide,
        fc.array(rideId, { maxLength: 5 }),
        fc.nat(5),
        fc.boolean(),
        async (bad, goodIds, at, single) => {
          const batch: unknown[] = goodIds.map((id) => aStarted(id));
          batch.splice(Math.min(at, batch.length), 0, bad);
          sent.length = 0; // each run judges its own request, whatever an earlier failing run left
          const res = await post(JSON.stringify(single ? bad : batch));
          expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, res.body).toBeLessThan(500);
          expect(sent).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects each field of each event type set to each kind of wrong value (all of them, not a sample)', async () => {
    const wrongKinds = (field: string): unknown[] => [
      true,
      [],
      { a: 1 },
      ...(NULLABLE_FIELDS.has(field) ? [] : [null]),
      ...(STRING_FIELDS.has(field) ? [7, 0.5] : ['7', -1, -0.5]),
    ];
    const accepted: string[] = [];
    sent.length = 0;
    for (const { make, fields } of FACTORIES)
      for (const field of fields)
        for (const value of wrongKinds(field)) {
          const res = await post(JSON.stringify(make('r1', { [field]: value })));
          const published = sent.splice(0).length;
          if (res.statusCode !== 400 || published > 0)
            accepted.push(
              `${make().type}.${field} = ${JSON.stringify(value)}: ${res.statusCode}, ${published} published`,
            );
        }
    expect(accepted, 'wrong values not refused with 400, or published').toEqual([]);
  });

  it('rejects prototype-pollution keys and deep nesting with 4xx, publishing nothing and polluting nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(pollution, deepNesting), async (body) => {
        const res = await post(body);
        expect(res.statusCode, res.body.slice(0, 200)).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expect(sent).toEqual([]);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it('answers random bytes sent as JSON with 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4096 }), async (bytes) => {
        const res = await post(Buffer.from(bytes));
        // A few byte strings are valid JSON (`1`, `"a"`): those are still not rides.
        expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expect(sent).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every valid batch of ride events with 202 and publishes exactly those events', async () => {
    const instant = fc
      .date({ min: new Date('2000-01-02T00:00:00Z'), max: new Date('2099-12-28T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.getTime());
    const ride = fc.record({
      rideId,
      vendorId: fc.integer({ min: 1, max: 6 }),
      puLocationId: fc.integer({ min: 1, max: 265 }),
      doLocationId: fc.integer({ min: 1, max: 265 }),
      passengerCount: fc.option(fc.integer({ min: 0, max: 9 })),
      paymentType: fc.option(fc.integer({ min: 1, max: 6 })),
    });
    const miles = fc.double({ min: 0, max: 200, noNaN: true });
    const dollars = fc.double({ min: 0, max: 1000, noNaN: true });
    const iso = (ms: number) => new Date(ms).toISOString();
    const validRide = fc.oneof(
      fc
        .tuple(ride, instant, miles)
        .map(([r, at, plannedDistance]) =>
          aStarted(r.rideId, { ...r, paymentType: undefined, occurredAt: iso(at), plannedDistance }),
        ),
      fc
        .tuple(ride, instant, fc.integer({ min: 0, max: 86_400_000 }), miles, dollars)
        .map(([r, at, ms, tripDistance, fareAmount]) =>
          aCompleted(r.rideId, { ...r, startedAt: iso(at), occurredAt: iso(at + ms), tripDistance, fareAmount }),
        ),
      fc.tuple(ride, instant, dollars, dollars).map(([r, at, tipAmount, fare]) =>
        aPaid(r.rideId, {
          paymentType: r.paymentType,
          occurredAt: iso(at),
          tipAmount,
          totalAmount: fare + tipAmount,
        }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(validRide, { minLength: 1, maxLength: MAX_RIDES }),
        fc.boolean(),
        async (rides, single) => {
          const body = single ? rides[0] : rides;
          const res = await post(JSON.stringify(body));
          expect(res.statusCode, res.body).toBe(202);
          expectPublishedExactly(single ? [rides[0]!] : rides);
        },
      ),
      { numRuns: 200 },
    );
  });
});
