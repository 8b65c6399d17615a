/**
 * The fast path of `validateRideEvent` must never accept what the zod contract refuses, and must return exactly what
 * zod returns when it accepts: checked on every golden ride and on every field of each event type broken in turn.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rideEventSchema } from '../src/index';
import { FAST_BOUNDS } from '../src/ride-event';
import { fastRideEvent } from '../src/ride-event-fast';
import { aCompleted, aPaid, aStarted } from '../src/testing';

const golden = readFileSync(new URL('./fixtures/golden-features.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => (JSON.parse(line) as { events: { started: unknown; completed: unknown } }).events);

const fast = (v: unknown) => fastRideEvent(v, FAST_BOUNDS);

/** Values that break (or stress) a field: wrong types, bounds, odd numbers, malformed and impossible date-times. */
const PROBES: unknown[] = [
  undefined,
  null,
  true,
  '',
  '1',
  [],
  {},
  -1,
  0,
  -0,
  0.5,
  1,
  2,
  6,
  7,
  9,
  10,
  200,
  200.5,
  265,
  266,
  1000,
  1000.01,
  2000,
  2000.01,
  Number.MAX_SAFE_INTEGER + 2,
  'r 1',
  'r/1',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(96),
  'x'.repeat(97),
  'ride.paid',
  'ride.unknown',
  '2024-01-15T08:30:00Z',
  '2024-01-15T08:30:00.123456789+05:30',
  '2024-01-15T08:30:00',
  '2024-01-15T08:30Z',
  '2024-01-15 08:30:00Z',
  '2024-02-29T10:00:00-05:00',
  '2023-02-29T10:00:00-05:00',
  '2021-04-31T10:00:00Z',
  '2024-13-01T10:00:00Z',
  '2024-01-01T24:00:00Z',
  '2024-01-01T10:00:00+24:00',
  '2024-01-01T10:00:00+0500',
  '1999-12-31T23:59:59Z',
  '2099-12-31T23:59:59Z',
  '2100-01-01T00:00:00Z',
];

function mutations(base: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const field of Object.keys(base)) {
    for (const probe of PROBES) {
      const copy: Record<string, unknown> = { ...base };
      if (probe === undefined) delete copy[field];
      else copy[field] = probe;
      out.push(copy);
    }
  }
  return out;
}

describe('fastRideEvent', () => {
  it('returns every golden ride.started and ride.completed as zod returns it', () => {
    expect(golden.length).toBeGreaterThan(1000);
    for (const { started, completed } of golden) {
      for (const event of [started, completed]) {
        expect(fast(event)).toStrictEqual(rideEventSchema.parse(event));
      }
    }
  });

  it.each([
    ['ride.started', aStarted() as unknown as Record<string, unknown>],
    ['ride.completed', aCompleted() as unknown as Record<string, unknown>],
    ['ride.paid', aPaid() as unknown as Record<string, unknown>],
  ])('never accepts a %s that zod refuses, and returns what zod returns', (_type, base) => {
    let accepted = 0;
    let refused = 0;
    for (const value of mutations(base)) {
      const zod = rideEventSchema.safeParse(value);
      const result = fast(value);
      if (result === undefined) {
        refused++;
        continue;
      }
      accepted++;
      expect({ value, zodAccepts: zod.success }).toEqual({ value, zodAccepts: true });
      expect(result).toStrictEqual(zod.data);
    }
    // Both branches are exercised: the probes hold valid edge values as well as broken ones.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(100);
  });

  it('drops fields the contract does not know, as zod does', () => {
    const value = { ...aStarted(), fare: 12, extra: { nested: true } };
    expect(fast(value)).toStrictEqual(aStarted());
  });

  it.each([[null], ['ride'], [42], [[aStarted()]], [{ ...aStarted(), type: 'ride.unknown' }]])(
    'returns undefined for %j, leaving it to the schema',
    (value: unknown) => {
      expect(fast(value)).toBeUndefined();
    },
  );
});
