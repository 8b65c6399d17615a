/**
 * Real rides: every contract-valid ride of TLC green January 2024. The stream and HTTP benchmarks send each ride's
 * `ride.started` (what the backend publishes at pickup, and what the duration consumer scores).
 */
import type { RideEvent } from '@ridestream/features';
import { cleanTrips, readTlcFile, type CleanRide } from '@ridestream/tlc';
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

/**
 * `n` ride messages keyed by ride id. The month holds ~54k rides; beyond that it repeats with a distinct ride id
 * prefix per copy (`<prefix><copy>-<row>`), so every message is a different ride.
 */
export function ridePayloads(rides: readonly RideEvent[], n: number, prefix: string): Payload[] {
  const out: Payload[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const rideId = `${prefix}${Math.floor(i / rides.length)}-${i % rides.length}`;
    out[i] = { key: rideId, value: Buffer.from(JSON.stringify(withRideId(rides[i % rides.length]!, rideId))) };
  }
  return out;
}

export const meanBytes = (payloads: readonly Payload[]) =>
  payloads.reduce((s, p) => s + p.value.length, 0) / Math.max(1, payloads.length);
