/**
 * Test fixtures for the ride contract, published as `@ridestream/features/testing` so that production code never
 * imports them by accident.
 */
import type { RideEvent } from './ride-event';

/**
 * A valid ride event (a Monday-morning trip from East Harlem North to Upper East Side North), with overrides.
 * Overrides are untyped on purpose: tests put invalid values in to check the rejections.
 *
 * @example sampleRide('r1', { puLocationId: 999 })
 */
export function sampleRide(rideId = 'r1', overrides: Record<string, unknown> = {}): RideEvent {
  return {
    schemaVersion: 1,
    rideId,
    vendorId: 2,
    pickupAt: '2024-01-15T08:30:00-05:00',
    puLocationId: 74,
    doLocationId: 236,
    tripDistance: 2.5,
    passengerCount: 1,
    paymentType: 1,
    fareAmount: 14,
    ...overrides,
  } as RideEvent;
}
