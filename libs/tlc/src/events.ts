import {
  CONTRACT_VERSION,
  nyWallTimeToEpochMs,
  toNyIsoString,
  validateRideEvent,
  type RideCompleted,
  type RideEvent,
  type RidePaid,
  type RideStarted,
} from '@ridestream/features';
import type { TlcTrip } from './read';
import type { TimedRide } from './timeline';

const isoAt = (wallMs: number) => (Number.isFinite(wallMs) ? toNyIsoString(nyWallTimeToEpochMs(wallMs)) : null);

/** The event ids replay gives a ride's events: deterministic, so a re-run publishes the same ids. */
const eventIdOf = (rideId: string, type: RideEvent['type']) => `${rideId}:${type.slice('ride.'.length)}`;

/**
 * The three events the backend would have published for this trip, not validated yet: `ride.started` at pickup
 * (the planned distance is TLC `trip_distance`, its stand-in), `ride.completed` at drop-off with the meter's
 * figures, and `ride.paid` with the tip and total at the drop-off instant (TLC has no payment time).
 */
export function tripToEventCandidates(
  trip: TlcTrip,
  rideId: string,
): { started: Record<string, unknown>; completed: Record<string, unknown>; paid: Record<string, unknown> } {
  const pickupAt = isoAt(trip.pickupWallMs);
  const dropoffAt = isoAt(trip.dropoffWallMs);
  const envelope = (type: RideEvent['type'], occurredAt: string | null) => ({
    schemaVersion: CONTRACT_VERSION,
    type,
    eventId: eventIdOf(rideId, type),
    rideId,
    occurredAt,
  });
  return {
    started: {
      ...envelope('ride.started', pickupAt),
      vendorId: trip.vendorId,
      puLocationId: trip.puLocationId,
      doLocationId: trip.doLocationId,
      plannedDistance: trip.tripDistance,
      passengerCount: trip.passengerCount,
    },
    completed: {
      ...envelope('ride.completed', dropoffAt),
      vendorId: trip.vendorId,
      startedAt: pickupAt,
      puLocationId: trip.puLocationId,
      doLocationId: trip.doLocationId,
      tripDistance: trip.tripDistance,
      fareAmount: trip.fareAmount,
      paymentType: trip.paymentType,
      passengerCount: trip.passengerCount,
    },
    paid: {
      ...envelope('ride.paid', dropoffAt),
      paymentType: trip.paymentType,
      tipAmount: trip.tipAmount,
      totalAmount: trip.totalAmount,
    },
  };
}

export type CleaningTarget = 'duration' | 'tip' | 'none';

/** One TLC trip as its three contract-valid events, with their instants for `rideTimeline`. */
export interface CleanRide extends TimedRide<RideStarted, RideCompleted, RidePaid> {
  readonly rideId: string;
  readonly trip: TlcTrip;
  /** Actual duration in minutes: the ground truth, from the events (completed.occurredAt - startedAt). */
  readonly durationMin: number;
  /** Actual tip in dollars: the ground truth, from `ride.paid`. */
  readonly tipAmount: number;
}

export interface CleanResult {
  readonly rides: CleanRide[];
  /** Rows dropped, by reason: counted and reported, never silently scored. */
  readonly dropped: Record<string, number>;
}

function validated<E extends RideEvent>(candidate: Record<string, unknown>, type: E['type']): E | string {
  const parsed = validateRideEvent(candidate);
  if (parsed.ok) return parsed.value as E;
  const e = parsed.error;
  // Codes other than INVALID_EVENT (DROPOFF_BEFORE_PICKUP) say more than the field name alone.
  return `contract: ${type} ${e.code === 'INVALID_EVENT' ? (e.issues[0]?.path ?? 'event') : e.code}`;
}

/**
 * The cleaning shared by training, evaluation and replay (docs/FEATURES.md): rides whose three events are all
 * contract-valid, and for a target, 1 <= duration <= 60 minutes (drop-off - pickup, elapsed); for tips, card
 * payments only (`ride.completed` paymentType 1).
 * Ride ids are `<prefix>-<row index>` and event ids `<ride id>:started|completed|paid`, so the same file always
 * yields the same ids.
 */
export function cleanTrips(trips: readonly TlcTrip[], target: CleaningTarget, idPrefix: string): CleanResult {
  const rides: CleanRide[] = [];
  const dropped: Record<string, number> = {};
  const drop = (reason: string) => (dropped[reason] = (dropped[reason] ?? 0) + 1);
  trips.forEach((trip, i) => {
    // In real elapsed time (what completed.occurredAt - startedAt gives), not wall-clock: a DST night differs.
    const durationMin = (nyWallTimeToEpochMs(trip.dropoffWallMs) - nyWallTimeToEpochMs(trip.pickupWallMs)) / 60_000;
    if (target !== 'none' && !(durationMin >= 1 && durationMin <= 60)) return drop('duration outside 1-60 min');
    if (target === 'tip' && trip.paymentType !== 1) return drop('not a card payment');
    const rideId = `${idPrefix}-${i}`;
    const candidates = tripToEventCandidates(trip, rideId);
    const started = validated<RideStarted>(candidates.started, 'ride.started');
    if (typeof started === 'string') return drop(started);
    const completed = validated<RideCompleted>(candidates.completed, 'ride.completed');
    if (typeof completed === 'string') return drop(completed);
    const paid = validated<RidePaid>(candidates.paid, 'ride.paid');
    if (typeof paid === 'string') return drop(paid);
    const pickupMs = Date.parse(completed.startedAt);
    const dropoffMs = Date.parse(completed.occurredAt);
    rides.push({
      rideId,
      trip,
      started,
      completed,
      paid,
      pickupMs,
      dropoffMs,
      durationMin: (dropoffMs - pickupMs) / 60_000,
      tipAmount: paid.tipAmount,
    });
  });
  return { rides, dropped };
}
