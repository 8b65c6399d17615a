import {
  CONTRACT_VERSION,
  nyWallTimeToEpochMs,
  toNyIsoString,
  validateRideEvent,
  type RideEvent,
} from '@ridestream/features';
import type { TlcTrip } from './read';

/** The ride event the backend would have published when this trip started. Not validated yet. */
export function tripToEventCandidate(trip: TlcTrip, rideId: string): Record<string, unknown> {
  return {
    schemaVersion: CONTRACT_VERSION,
    rideId,
    vendorId: trip.vendorId,
    pickupAt: Number.isFinite(trip.pickupWallMs) ? toNyIsoString(nyWallTimeToEpochMs(trip.pickupWallMs)) : null,
    puLocationId: trip.puLocationId,
    doLocationId: trip.doLocationId,
    tripDistance: trip.tripDistance,
    passengerCount: trip.passengerCount,
    paymentType: trip.paymentType,
    fareAmount: trip.fareAmount,
  };
}

export type CleaningTarget = 'duration' | 'tip' | 'none';

export interface CleanRide {
  readonly event: RideEvent;
  readonly trip: TlcTrip;
  /** Actual duration in minutes. */
  readonly durationMin: number;
}

export interface CleanResult {
  readonly rides: CleanRide[];
  /** Rows dropped, by reason: counted and reported, never silently scored. */
  readonly dropped: Record<string, number>;
}

/**
 * The cleaning shared by training, evaluation and replay (docs/FEATURES.md): contract-valid rides, and for a
 * target, 1 <= duration <= 60 minutes; for tips, card payments only.
 * Ride ids are `<prefix>-<row index>`, so the same file always yields the same ids.
 */
export function cleanTrips(trips: readonly TlcTrip[], target: CleaningTarget, idPrefix: string): CleanResult {
  const rides: CleanRide[] = [];
  const dropped: Record<string, number> = {};
  const drop = (reason: string) => (dropped[reason] = (dropped[reason] ?? 0) + 1);
  trips.forEach((trip, i) => {
    const durationMin = (trip.dropoffWallMs - trip.pickupWallMs) / 60_000;
    if (target !== 'none' && !(durationMin >= 1 && durationMin <= 60)) return drop('duration outside 1-60 min');
    if (target === 'tip' && trip.paymentType !== 1) return drop('not a card payment');
    const parsed = validateRideEvent(tripToEventCandidate(trip, `${idPrefix}-${i}`));
    if (!parsed.ok) return drop(`contract: ${parsed.error.issues[0]?.path ?? 'event'}`);
    rides.push({ event: parsed.value, trip, durationMin });
  });
  return { rides, dropped };
}
