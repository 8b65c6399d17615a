import { describe, expect, it } from 'vitest';
import {
  FEATURE_SPECS,
  featurize,
  isUsHoliday,
  nyWallTimeToEpochMs,
  puDoKey,
  toNyIsoString,
  type FeatureSpec,
} from '../src/index';
import { aCompleted, aPaid, aStarted } from '../src/testing';

const named = <E extends { type: string }>(spec: FeatureSpec<E>, event: E) => {
  const x = featurize(spec, [event]);
  return Object.fromEntries(spec.names.map((n, i) => [n, x[i]]));
};

// A Saturday evening in New York, from JFK (Queens) to Upper East Side North (Manhattan).
const started = aStarted('r1', {
  occurredAt: '2024-01-13T23:45:10-05:00',
  puLocationId: 132,
  doLocationId: 236,
  plannedDistance: 17.5,
  passengerCount: null,
});

describe('FEATURE_SPECS.duration (scores ride.started)', () => {
  const spec = FEATURE_SPECS.duration;

  it('returns the 14 features in the documented order', () => {
    expect(spec.eventType).toBe('ride.started');
    expect(spec.count).toBe(14);
    expect(named(spec, started)).toEqual({
      planned_distance: 17.5,
      pu_location_id: 132,
      do_location_id: 236,
      same_zone: 0,
      pickup_hour: 23.75,
      pickup_dow: 5,
      is_weekend: 1,
      is_holiday: 0,
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
    const utc = { ...started, occurredAt: '2024-01-14T04:45:10Z' };
    expect(named(spec, utc)).toMatchObject({ pickup_hour: 23.75, pickup_dow: 5 });
    // Summer time: UTC-4.
    const summer = { ...started, occurredAt: '2023-07-03T12:00:00Z' };
    expect(named(spec, summer)).toMatchObject({ pickup_hour: 8, pickup_dow: 0, is_weekend: 0 });
  });

  it('returns borough N/A and Unknown for zones 265 and 264, EWR and same zone for 1 -> 1', () => {
    expect(named(spec, { ...started, puLocationId: 264, doLocationId: 265 })).toMatchObject({
      pu_borough: 6,
      do_borough: 7,
      same_zone: 0,
    });
    expect(named(spec, { ...started, puLocationId: 1, doLocationId: 1 })).toMatchObject({
      pu_borough: 2,
      pu_airport: 1,
      do_airport: 1,
      same_zone: 1,
    });
  });

  // Later-known fields of the same ride: what the meter and the payment add after pickup. A spec that read any
  // of them (even through a widened event object) would leak the target into the duration model (issue 13).
  const completed = aCompleted('r1');
  const paid = aPaid('r1');
  const later: [string, unknown[]][] = [
    ['fareAmount', [0, 7.5, 250, 999]],
    ['tripDistance', [0, 1, 17.5, 150]],
    ['paymentType', [null, 1, 2, 4]],
    ['startedAt', ['2024-01-13T23:40:00-05:00', '2024-01-01T00:00:00Z']],
    ['dropoffAt', ['2024-01-14T00:05:00-05:00', '2024-01-14T02:00:00-05:00']],
    ['tipAmount', [0, 3.5, 40]],
    ['totalAmount', [0, 21.3, 500]],
    ['durationMinutes', [1, 60]],
  ];

  it('never changes a duration feature when the fare, payment, drop-off or tip of the ride change', () => {
    const reference = Array.from(featurize(spec, [started]));
    const leaks: string[] = [];
    for (const [field, values] of later)
      for (const value of values) {
        const widened = { ...completed, ...paid, ...started, [field]: value };
        const row = Array.from(featurize(spec, [widened]));
        if (row.join() !== reference.join()) leaks.push(`${field}=${JSON.stringify(value)}`);
      }
    expect(leaks).toEqual([]);
  });

  it('returns feature names that owe nothing to ride.completed or ride.paid', () => {
    expect(spec.names.filter((n) => /fare|payment|tip|total|dropoff|duration|trip_distance|metered/.test(n))).toEqual(
      [],
    );
  });
});

describe('FEATURE_SPECS.tip (scores ride.completed)', () => {
  const spec = FEATURE_SPECS.tip;
  const completed = aCompleted('r1', {
    startedAt: '2024-01-13T23:45:10-05:00',
    occurredAt: '2024-01-14T00:20:40-05:00',
    puLocationId: 132,
    doLocationId: 236,
    tripDistance: 17.9,
    fareAmount: 70,
    passengerCount: 2,
    vendorId: 1,
  });

  it('returns the 16 features in the documented order, the calendar of the pickup', () => {
    expect(spec.eventType).toBe('ride.completed');
    expect(named(spec, completed)).toEqual({
      trip_distance: Math.fround(17.9),
      fare_amount: 70,
      duration_minutes: 35.5,
      pu_location_id: 132,
      do_location_id: 236,
      same_zone: 0,
      pickup_hour: 23.75,
      pickup_dow: 5,
      is_weekend: 1,
      is_holiday: 0,
      passenger_count: 2,
      vendor_id: 1,
      pu_borough: 4,
      do_borough: 3,
      pu_airport: 1,
      do_airport: 0,
    });
  });

  it('returns a different row when the fare changes (the fare is known at drop-off)', () => {
    expect(named(spec, { ...completed, fareAmount: 71 })).toMatchObject({ fare_amount: 71 });
  });
});

describe('featurize', () => {
  it('returns a row-major matrix for a batch', () => {
    const x = featurize(FEATURE_SPECS.duration, [started, { ...started, plannedDistance: 1 }]);
    expect(x.length).toBe(2 * FEATURE_SPECS.duration.count);
    expect(x[FEATURE_SPECS.duration.count]).toBe(1);
  });

  it('returns the PU_DO key of the course baseline', () => {
    expect(puDoKey(started)).toBe('132_236');
  });
});

describe('isUsHoliday', () => {
  it.each([
    [2021, 1, 1, true],
    [2021, 1, 18, true], // Martin Luther King Jr. Day, third Monday
    [2021, 1, 11, false],
    [2021, 2, 15, true], // Washington's Birthday
    [2021, 5, 31, true], // Memorial Day, last Monday
    [2021, 6, 18, true], // Juneteenth on a Saturday, observed Friday
    [2020, 6, 19, false], // not federal before 2021
    [2021, 12, 31, true], // New Year 2022 on a Saturday, observed Friday 31 December
    [2023, 1, 2, true], // New Year 2023 on a Sunday, observed Monday
    [2023, 1, 1, false],
    [2023, 11, 23, true], // Thanksgiving, fourth Thursday
    [2024, 1, 15, true],
    [2024, 1, 13, false],
  ])('returns %i-%i-%i as %s', (y, m, d, expected) => {
    expect(isUsHoliday(y, m, d)).toBe(expected);
  });

  it('returns is_holiday 1 for a pickup on the local date of a holiday, not the UTC one', () => {
    // 2024-01-16T02:00Z is still Monday 15 January (MLK Day) at 21:00 in New York.
    const row = named(FEATURE_SPECS.duration, { ...started, occurredAt: '2024-01-16T02:00:00Z' });
    expect(row).toMatchObject({ is_holiday: 1, pickup_hour: 21 });
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
