import { nyLocalParts } from './ny-time';
import type { RideEvent } from './ride-event';
import { ZONES } from './zones.generated';

/** Model input columns, in order (docs/FEATURES.md). The ONNX models are checked against this at load. */
export const FEATURE_NAMES = [
  'trip_distance',
  'fare_amount',
  'pu_location_id',
  'do_location_id',
  'same_zone',
  'pickup_hour',
  'pickup_dow',
  'is_weekend',
  'passenger_count',
  'vendor_id',
  'pu_borough',
  'do_borough',
  'pu_airport',
  'do_airport',
] as const;
export const FEATURE_COUNT = FEATURE_NAMES.length;

export const BOROUGHS = ['Bronx', 'Brooklyn', 'EWR', 'Manhattan', 'Queens', 'Staten Island', 'Unknown', 'N/A'] as const;

/** Newark (EWR), JFK and LaGuardia. */
const AIRPORT_ZONES = new Set([1, 132, 138]);

/** Borough index by LocationID (index 0 unused), built once from the generated zone table. */
const BOROUGH_INDEX: readonly number[] = [
  -1,
  ...ZONES.map(([borough]) => {
    const i = (BOROUGHS as readonly string[]).indexOf(borough);
    if (i < 0) throw new Error(`zone table names an unknown borough: ${borough}`);
    return i;
  }),
];

/** Borough name of a TLC zone id (1-265). */
export function zoneBorough(zoneId: number): string | undefined {
  return ZONES[zoneId - 1]?.[0];
}

/**
 * Writes the 14 features of one validated ride into `out` at row `row` (row-major [N, 14]).
 * Pure: no I/O, no clock; the same event always gives the same numbers.
 */
export function writeFeatures(event: RideEvent, out: Float32Array, row: number): void {
  const base = row * FEATURE_COUNT;
  const local = nyLocalParts(Date.parse(event.pickupAt));
  out[base] = event.tripDistance;
  out[base + 1] = event.fareAmount;
  out[base + 2] = event.puLocationId;
  out[base + 3] = event.doLocationId;
  out[base + 4] = event.puLocationId === event.doLocationId ? 1 : 0;
  out[base + 5] = local.hour;
  out[base + 6] = local.dayOfWeek;
  out[base + 7] = local.dayOfWeek >= 5 ? 1 : 0;
  out[base + 8] = event.passengerCount ?? -1;
  out[base + 9] = event.vendorId;
  out[base + 10] = BOROUGH_INDEX[event.puLocationId] ?? -1;
  out[base + 11] = BOROUGH_INDEX[event.doLocationId] ?? -1;
  out[base + 12] = AIRPORT_ZONES.has(event.puLocationId) ? 1 : 0;
  out[base + 13] = AIRPORT_ZONES.has(event.doLocationId) ? 1 : 0;
}

/**
 * The feature matrix of a batch, row-major [events.length, FEATURE_COUNT], ready for one ONNX call.
 *
 * @example
 * const x = featurize([ride]); // Float32Array(14)
 */
export function featurize(events: readonly RideEvent[]): Float32Array {
  const out = new Float32Array(events.length * FEATURE_COUNT);
  events.forEach((e, i) => writeFeatures(e, out, i));
  return out;
}

/** The course baseline's categorical input: `"<pu>_<do>"`. */
export function puDoKey(event: Pick<RideEvent, 'puLocationId' | 'doLocationId'>): string {
  return `${event.puLocationId}_${event.doLocationId}`;
}
