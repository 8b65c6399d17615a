import { describe, expect, it } from 'vitest';
import { parseRideEvent, validateRideEvent, type RideEvent } from '../src/index';

const valid: RideEvent = {
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

describe('validateRideEvent', () => {
  it('returns the event for a valid ride', () => {
    const r = validateRideEvent(valid);
    expect(r).toEqual({ ok: true, value: valid });
  });

  it('returns the event when passenger count and payment type are unknown', () => {
    const r = validateRideEvent({ ...valid, passengerCount: null, paymentType: null });
    expect(r.ok).toBe(true);
  });

  it('drops unknown fields instead of passing them on', () => {
    const r = validateRideEvent({ ...valid, extra: 'x', ['__proto__']: { polluted: true } });
    expect(r.ok && Object.keys(r.value)).toEqual(Object.keys(valid));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['puLocationId', 0],
    ['puLocationId', 266],
    ['doLocationId', 1.5],
    ['tripDistance', -0.1],
    ['tripDistance', 250],
    ['fareAmount', -3],
    ['fareAmount', 5000],
    ['vendorId', 0],
    ['passengerCount', 12],
    ['paymentType', 7],
    ['rideId', ''],
    ['rideId', 'a'.repeat(65)],
    ['rideId', 'has space'],
    ['pickupAt', '2024-01-15T08:30:00'],
    ['pickupAt', '2024-02-30T08:30:00Z'],
    ['pickupAt', '1970-01-01T00:00:00Z'],
    ['pickupAt', '2150-01-01T00:00:00Z'],
    ['pickupAt', 1705325400000],
    ['schemaVersion', 2],
  ])('rejects %s = %j and names the field', (field, bad) => {
    const r = validateRideEvent({ ...valid, [field]: bad });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INVALID_EVENT');
      expect(r.error.retriable).toBe(false);
      expect(r.error.issues.map((i) => i.path)).toContain(field);
      expect(r.error.message).toContain(field);
    }
  });

  it('rejects a missing field and names it', () => {
    const { fareAmount: _dropped, ...rest } = valid;
    const r = validateRideEvent(rest);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues.map((i) => i.path)).toEqual(['fareAmount']);
  });
});

describe('parseRideEvent', () => {
  it('returns the event from UTF-8 bytes', () => {
    const r = parseRideEvent(new TextEncoder().encode(JSON.stringify(valid)));
    expect(r.ok && r.value.rideId).toBe(valid.rideId);
  });

  it.each([
    ['broken JSON', '{"rideId": '],
    ['binary garbage', new Uint8Array([0xff, 0x00, 0xfe, 0x7b])],
    ['an empty record', null],
  ])('rejects %s as INVALID_JSON', (_name, bytes) => {
    const r = parseRideEvent(bytes as Uint8Array | string | null);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('INVALID_JSON');
  });

  it('rejects a JSON array at the root', () => {
    const r = parseRideEvent('[1,2]');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues[0]?.path).toBe('(root)');
  });
});
