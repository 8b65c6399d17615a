/**
 * Real rides: every contract-valid ride of TLC green January 2024. The stream benchmarks send each ride's three
 * events (`ride.started`, `ride.completed`, `ride.paid`) in the order replay publishes them (libs/tlc's
 * `rideTimeline`: pickups and drop-offs interleaved on the ride's clock); the HTTP benchmark sends `ride.started`.
 */
import type { RideEvent } from '@ridestream/features';
import { cleanTrips, readTlcFile, rideTimeline, type CleanRide } from '@ridestream/tlc';
import type { Payload } from './kafka';
import { TLC_2024_01 } from './paths';

export async function loadRides(): Promise<CleanRide[]> {
  return cleanTrips(await readTlcFile(TLC_2024_01), 'none', 'r').rides;
}

/** The same event under another ride id (and the event id replay would give it). */
export const withRideId = <E extends RideEvent>(event: E, rideId: string): E => ({
  ...event,
  rideId,
  eventId: `${rideId}:${event.type.slice('ride.'.length)}`,
});

/** One event of the stream and its place: which ride (0-based, in pickup order) and which type. */
export interface StreamEvent {
  readonly ride: number;
  readonly event: RideEvent;
}

/**
 * The month as replay publishes it: every ride's three events on the ride's clock, rides numbered in pickup order.
 * Computed once per run; `eventPayloads` copies it.
 */
export function monthTimeline(rides: readonly CleanRide[]): StreamEvent[] {
  const byPickup = rides
    .map((ride, index) => ({ ride, index }))
    .sort((a, b) => a.ride.pickupMs - b.ride.pickupMs || a.index - b.index);
  const numbered = byPickup.map(({ ride }, i) => ({
    pickupMs: ride.pickupMs,
    dropoffMs: ride.dropoffMs,
    started: { ride: i, event: ride.started as RideEvent },
    completed: { ride: i, event: ride.completed as RideEvent },
    paid: { ride: i, event: ride.paid as RideEvent },
  }));
  return [...rideTimeline(numbered)];
}

/**
 * The events of `n` rides (3n messages) keyed by ride id, in timeline order: whole copies of the month, then the
 * first rides (by pickup) of one more copy with all their events, so every ride sent has its three events. Each copy
 * has its own ride id prefix (`<prefix><copy>-<ride>`). `types` holds each message's event type, in order.
 */
export function eventPayloads(
  timeline: readonly StreamEvent[],
  n: number,
  prefix: string,
): { payloads: Payload[]; types: RideEvent['type'][] } {
  const perCopy = timeline.length / 3;
  const payloads: Payload[] = [];
  const types: RideEvent['type'][] = [];
  for (let copy = 0; copy * perCopy < n; copy++) {
    const rides = Math.min(perCopy, n - copy * perCopy);
    for (const { ride, event } of timeline) {
      if (ride >= rides) continue;
      const rideId = `${prefix}${copy}-${ride}`;
      payloads.push({ key: rideId, value: Buffer.from(JSON.stringify(withRideId(event, rideId))) });
      types.push(event.type);
    }
  }
  return { payloads, types };
}

export const meanBytes = (payloads: readonly Payload[]) =>
  payloads.reduce((s, p) => s + p.value.length, 0) / Math.max(1, payloads.length);
