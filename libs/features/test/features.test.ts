import { describe, expect, it } from 'vitest';
import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  featurize,
  nyWallTimeToEpochMs,
  puDoKey,
  toNyIsoString,
  type RideEvent,
} from '../src/index';

const ride = (over: Partial<RideEvent> = {}): RideEvent => ({
  schemaVersion: 1,
  rideId: 'r1',
  vendorId: 2,
  pickupAt: '2024-01-13T23:45:10-05:00', // a Saturday evening in New York
  puLocationId: 132, // JFK, Queens
  doLocationId: 236, // Upper East Side North, Manhattan
  tripDistance: 17.5,
  passengerCount: null,
  paymentType: 1,
  fareAmount: 70,
  ...over,
});

const row = (e: RideEvent) => Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, featurize([e])[i]]));

describe('featurize', () => {
  it('returns the 14 features in the documented order', () => {
    expect(FEATURE_COUNT).toBe(14);
    expect(row(ride())).toEqual({
      trip_distance: 17.5,
      fare_amount: 70,
      pu_location_id: 132,
      do_location_id: 236,
      same_zone: 0,
      pickup_hour: 23.75,
      pickup_dow: 5,
      is_weekend: 1,
      passenger_count: -1,
      vendor_id: 2,
      pu_borough: 4, // Queens
      do_borough: 3, // Manhattan
      pu_airport: 1,
      do_airport: 0,
    });
  });

  it('returns New York local time whatever offset the event was written in', () => {
    // 04:45 UTC on Sunday is still Saturday 23:45 in New York.
    expect(row(ride({ pickupAt: '2024-01-14T04:45:10Z' }))).toMatchObject({ pickup_hour: 23.75, pickup_dow: 5 });
    // Summer time: UTC-4.
    expect(row(ride({ pickupAt: '2023-07-03T12:00:00Z' }))).toMatchObject({
      pickup_hour: 8,
      pickup_dow: 0,
      is_weekend: 0,
    });
  });

  it('returns borough N/A and Unknown for zones 265 and 264', () => {
    expect(row(ride({ puLocationId: 264, doLocationId: 265 }))).toMatchObject({
      pu_borough: 6,
      do_borough: 7,
      same_zone: 0,
    });
    expect(row(ride({ puLocationId: 1, doLocationId: 1 }))).toMatchObject({
      pu_borough: 2,
      pu_airport: 1,
      do_airport: 1,
      same_zone: 1,
    });
  });

  it('returns a row-major matrix for a batch', () => {
    const x = featurize([ride(), ride({ tripDistance: 1 })]);
    expect(x.length).toBe(2 * FEATURE_COUNT);
    expect(x[FEATURE_COUNT]).toBe(1);
  });

  it('returns the PU_DO key of the course baseline', () => {
    expect(puDoKey(ride())).toBe('132_236');
  });
});

describe('New York wall time', () => {
  const wall = (s: string) => Date.parse(`${s}Z`);
  it.each([
    ['2021-01-01T00:15:56', '2021-01-01T00:15:56-05:00'],
    ['2023-07-01T12:00:00', '2023-07-01T12:00:00-04:00'],
    // The repeated hour when DST ends takes the earlier instant (EDT).
    ['2021-11-07T01:30:00', '2021-11-07T01:30:00-04:00'],
    // The spring-forward gap does not exist: shifted forward by one hour.
    ['2023-03-12T02:30:00', '2023-03-12T03:30:00-04:00'],
  ])('returns %s as %s', (naive, iso) => {
    expect(toNyIsoString(nyWallTimeToEpochMs(wall(naive)))).toBe(iso);
  });
});
