import { describe, expect, it } from 'vitest';
import { parseRideEvent, validateRideBatch, validateRideEvent, type RideEvent } from '../src/index';
import { aCompleted, aPaid, aStarted } from '../src/testing';

const v1 = {
  schemaVersion: 1,
  rideId: '2024-01-000001',
  vendorId: 2,
  pickupAt: '2024-01-15T08:30:00-05:00',
  puLocationId: 74,
  doLocationId: 236,
  tripDistance: 2.7,
  passengerCount: 1,
  paymentType: 1,
  fareAmount: 14.2,
};

const PICKUP_PLUS_5 = '2024-01-15T08:35:00-05:00';

function rejection(value: unknown) {
  const r = validateRideEvent(value);
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.value)}`);
  return r.error;
}

describe('validateRideEvent', () => {
  it.each([
    ['ride.started', aStarted()],
    ['ride.completed', aCompleted()],
    ['ride.paid', aPaid()],
  ])('returns a valid %s as is', (_type, event) => {
    expect(validateRideEvent(event)).toEqual({ ok: true, value: event });
  });

  it('returns events whose passenger count and payment type are unknown', () => {
    expect(validateRideEvent(aStarted('r1', { passengerCount: null })).ok).toBe(true);
    expect(validateRideEvent(aCompleted('r1', { passengerCount: null, paymentType: null })).ok).toBe(true);
    expect(validateRideEvent(aPaid('r1', { paymentType: null })).ok).toBe(true);
  });

  it('returns a ride.completed whose drop-off is after its pickup in another offset', () => {
    // The string '08:35-05:00' sorts before '13:30Z', but it is five minutes after it.
    const r = validateRideEvent(aCompleted('r1', { startedAt: '2024-01-15T13:30:00Z', occurredAt: PICKUP_PLUS_5 }));
    expect(r.ok).toBe(true);
  });

  it('returns a ride.completed whose drop-off equals its pickup (a zero-minute ride is not before)', () => {
    const at = '2024-01-15T08:30:00-05:00';
    expect(validateRideEvent(aCompleted('r1', { startedAt: at, occurredAt: '2024-01-15T13:30:00Z' })).ok).toBe(true);
  });

  it('drops unknown fields instead of passing them on', () => {
    const r = validateRideEvent({ ...aStarted(), fareAmount: 14, ['__proto__']: { polluted: true } });
    expect(r.ok && Object.keys(r.value).sort()).toEqual(Object.keys(aStarted()).sort());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects a v1 event as CONTRACT_VERSION_RETIRED, naming schemaVersion and v2', () => {
    const error = rejection(v1);
    expect(error.code).toBe('CONTRACT_VERSION_RETIRED');
    expect(error.retriable).toBe(false);
    expect(error.issues.map((i) => i.path)).toEqual(['schemaVersion']);
    expect(error.message).toMatch(/v1 is retired.*schemaVersion 2/);
  });

  it('rejects a drop-off before the pickup as DROPOFF_BEFORE_PICKUP naming occurredAt', () => {
    // 13:29:59Z is 08:29:59 in New York, a second before the pickup, although its string sorts after it.
    const error = rejection(aCompleted('r1', { occurredAt: '2024-01-15T13:29:59Z' }));
    expect(error.code).toBe('DROPOFF_BEFORE_PICKUP');
    expect(error.issues.map((i) => i.path)).toEqual(['occurredAt']);
    expect(error.message).toContain('occurredAt');
  });

  it.each([[{ ...aStarted(), type: 'ride.cancelled' }], [{ ...aStarted(), type: undefined }]])(
    'rejects an unknown type as INVALID_EVENT naming type (%#)',
    (event) => {
      const error = rejection(event);
      expect(error.code).toBe('INVALID_EVENT');
      expect(error.issues.map((i) => i.path)).toContain('type');
    },
  );

  const started = (field: string, bad: unknown) => ({ ...aStarted(), [field]: bad });
  const completed = (field: string, bad: unknown) => ({ ...aCompleted(), [field]: bad });
  const paid = (field: string, bad: unknown) => ({ ...aPaid(), [field]: bad });
  it.each([
    ['puLocationId', started, 0],
    ['puLocationId', started, 266],
    ['doLocationId', started, 1.5],
    ['plannedDistance', started, -0.1],
    ['plannedDistance', started, 250],
    ['vendorId', started, 0],
    ['passengerCount', started, 12],
    ['rideId', started, ''],
    ['rideId', started, 'a'.repeat(65)],
    ['rideId', started, 'has space'],
    ['eventId', started, ''],
    ['eventId', started, 'a'.repeat(97)],
    ['eventId', paid, 'r1 paid'],
    ['occurredAt', started, '2024-01-15T08:30:00'],
    ['occurredAt', started, '2024-02-30T08:30:00Z'],
    ['occurredAt', started, '1970-01-01T00:00:00Z'],
    ['occurredAt', started, '2150-01-01T00:00:00Z'],
    ['occurredAt', started, 1705325400000],
    ['schemaVersion', started, 3],
    ['startedAt', completed, '2024-01-15 08:30'],
    ['tripDistance', completed, 201],
    ['fareAmount', completed, -3],
    ['fareAmount', completed, 5000],
    ['paymentType', completed, 7],
    ['tipAmount', paid, -1],
    ['totalAmount', paid, 'twenty'],
    ['paymentType', paid, 0],
  ])('rejects %s = %j and names the field', (field, make, bad) => {
    const error = rejection(make(field, bad));
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.retriable).toBe(false);
    expect(error.issues.map((i) => i.path)).toContain(field);
    expect(error.message).toContain(field);
  });

  it.each([
    ['ride.started', aStarted(), 'plannedDistance'],
    ['ride.completed', aCompleted(), 'fareAmount'],
    ['ride.paid', aPaid(), 'tipAmount'],
  ])('rejects a %s missing a field and names it', (_type, event, field) => {
    const { [field]: _dropped, ...rest } = event as unknown as Record<string, unknown>;
    expect(rejection(rest).issues.map((i) => i.path)).toEqual([field]);
  });

  it('rejects a ride.started that carries no planned distance but a fare (the v1 shape with a type)', () => {
    const { tripDistance, fareAmount } = v1;
    const error = rejection({ ...aStarted(), plannedDistance: undefined, tripDistance, fareAmount });
    expect(error.issues.map((i) => i.path)).toEqual(['plannedDistance']);
  });
});

describe('parseRideEvent', () => {
  it('returns the event from UTF-8 bytes', () => {
    const r = parseRideEvent(new TextEncoder().encode(JSON.stringify(aCompleted('r9'))));
    expect(r.ok && [r.value.type, r.value.rideId]).toEqual(['ride.completed', 'r9']);
  });

  it('rejects v1 bytes as CONTRACT_VERSION_RETIRED', () => {
    const r = parseRideEvent(JSON.stringify(v1));
    expect(!r.ok && r.error.code).toBe('CONTRACT_VERSION_RETIRED');
  });

  it.each([
    ['broken JSON', '{"rideId": '],
    ['binary garbage', new Uint8Array([0xff, 0x00, 0xfe, 0x7b])],
    ['an empty record', null],
  ])('rejects %s as INVALID_JSON', (_name, bytes) => {
    const r = parseRideEvent(bytes as Uint8Array | string | null);
    expect(!r.ok && r.error.code).toBe('INVALID_JSON');
  });

  it('rejects a JSON array at the root', () => {
    const r = parseRideEvent('[1,2]');
    expect(!r.ok && r.error.issues[0]?.path).toBe('(root)');
  });
});

describe('validateRideBatch', () => {
  it('returns the events of a mixed batch in order', () => {
    const body: RideEvent[] = [aStarted('a'), aCompleted('a'), aPaid('a')];
    expect(validateRideBatch(body, 10)).toEqual({ events: body });
  });

  it('returns one event sent alone', () => {
    expect(validateRideBatch(aStarted('a'), 10)).toEqual({ events: [aStarted('a')] });
  });

  it('rejects a batch naming the index and field of every bad event, drop-off rule included', () => {
    const body = [aStarted('a'), aCompleted('b', { occurredAt: '2024-01-15T08:00:00-05:00' }), v1];
    expect(validateRideBatch(body, 10)).toEqual({
      issues: [
        { index: 1, path: '[1].occurredAt', message: expect.stringContaining('before the pickup') },
        { index: 2, path: '[2].schemaVersion', message: expect.stringContaining('retired') },
      ],
    });
  });

  it.each([
    ['an empty batch', [], 'empty batch'],
    ['too many events', [aStarted('a'), aStarted('b')], 'at most 1 events'],
  ])('rejects %s', (_name, body, message) => {
    expect(validateRideBatch(body, 1)).toEqual({
      issues: [{ path: '(root)', message: expect.stringContaining(message) }],
    });
  });
});
