/**
 * Test fixtures for the ride contract, published as `@ridestream/features/testing` so that production code never
 * imports them by accident. One ride (a Monday-morning trip from East Harlem North to Upper East Side North,
 * 15 minutes, paid by card) seen through its three events; pass overrides to change or break a field.
 * Overrides are untyped on purpose: tests put invalid values in to check the rejections.
 */
import type { RideCompleted, RidePaid, RideStarted } from './ride-event';

const PICKUP = '2024-01-15T08:30:00-05:00';
const DROPOFF = '2024-01-15T08:45:00-05:00';
const PAID = '2024-01-15T08:45:20-05:00';

/** @example aStarted('r1', { puLocationId: 999 }) */
export function aStarted(rideId = 'r1', overrides: Record<string, unknown> = {}): RideStarted {
  return {
    schemaVersion: 2,
    type: 'ride.started',
    eventId: `${rideId}:started`,
    rideId,
    occurredAt: PICKUP,
    vendorId: 2,
    puLocationId: 74,
    doLocationId: 236,
    plannedDistance: 2.5,
    passengerCount: 1,
    ...overrides,
  } as RideStarted;
}

/** @example aCompleted('r1', { fareAmount: 30 }) */
export function aCompleted(rideId = 'r1', overrides: Record<string, unknown> = {}): RideCompleted {
  return {
    schemaVersion: 2,
    type: 'ride.completed',
    eventId: `${rideId}:completed`,
    rideId,
    occurredAt: DROPOFF,
    vendorId: 2,
    startedAt: PICKUP,
    puLocationId: 74,
    doLocationId: 236,
    tripDistance: 2.7,
    fareAmount: 14,
    paymentType: 1,
    passengerCount: 1,
    ...overrides,
  } as RideCompleted;
}

/** @example aPaid('r1', { tipAmount: 0 }) */
export function aPaid(rideId = 'r1', overrides: Record<string, unknown> = {}): RidePaid {
  return {
    schemaVersion: 2,
    type: 'ride.paid',
    eventId: `${rideId}:paid`,
    rideId,
    occurredAt: PAID,
    paymentType: 1,
    tipAmount: 3.5,
    totalAmount: 21.3,
    ...overrides,
  } as RidePaid;
}
