import { isUsHoliday } from './calendar';
import { nyLocalParts } from './ny-time';
import type { RideCompleted, RideStarted } from './ride-event';
import { ZONES } from './zones.generated';

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

/** How one prediction kind turns the event it scores into one float32 row of its model's `features` input. */
export interface FeatureSpec<E extends { type: string }> {
  /** The only event this kind scores; every feature is known when that event is published. */
  readonly eventType: E['type'];
  /** Model input columns, in order (docs/FEATURES.md). The ONNX model card is checked against them at load. */
  readonly names: readonly string[];
  readonly count: number;
  /** Writes the row of `event` into `out` at row `row` (row-major [N, count]). Pure: no I/O, no clock. */
  write(event: E, out: Float32Array, row: number): void;
}

/** The ride context both kinds share: zones, pickup calendar in New York, passengers, vendor. */
const RIDE_CONTEXT = [
  'pu_location_id',
  'do_location_id',
  'same_zone',
  'pickup_hour',
  'pickup_dow',
  'is_weekend',
  'is_holiday',
  'passenger_count',
  'vendor_id',
  'pu_borough',
  'do_borough',
  'pu_airport',
  'do_airport',
] as const;

interface RideContext {
  readonly puLocationId: number;
  readonly doLocationId: number;
  readonly passengerCount: number | null;
  readonly vendorId: number;
}

function writeRideContext(ride: RideContext, pickupMs: number, out: Float32Array, at: number): void {
  const local = nyLocalParts(pickupMs);
  out[at] = ride.puLocationId;
  out[at + 1] = ride.doLocationId;
  out[at + 2] = ride.puLocationId === ride.doLocationId ? 1 : 0;
  out[at + 3] = local.hour;
  out[at + 4] = local.dayOfWeek;
  out[at + 5] = local.dayOfWeek >= 5 ? 1 : 0;
  out[at + 6] = isUsHoliday(local.year, local.month, local.day) ? 1 : 0;
  out[at + 7] = ride.passengerCount ?? -1;
  out[at + 8] = ride.vendorId;
  out[at + 9] = BOROUGH_INDEX[ride.puLocationId] ?? -1;
  out[at + 10] = BOROUGH_INDEX[ride.doLocationId] ?? -1;
  out[at + 11] = AIRPORT_ZONES.has(ride.puLocationId) ? 1 : 0;
  out[at + 12] = AIRPORT_ZONES.has(ride.doLocationId) ? 1 : 0;
}

const DURATION_NAMES = ['planned_distance', ...RIDE_CONTEXT] as const;

/** Duration scores `ride.started`: the pickup, the destination and the planned route, nothing known later. */
const durationSpec: FeatureSpec<RideStarted> = {
  eventType: 'ride.started',
  names: DURATION_NAMES,
  count: DURATION_NAMES.length,
  write(event, out, row) {
    const base = row * DURATION_NAMES.length;
    out[base] = event.plannedDistance;
    writeRideContext(event, Date.parse(event.occurredAt), out, base + 1);
  },
};

const TIP_NAMES = ['trip_distance', 'fare_amount', 'duration_minutes', ...RIDE_CONTEXT] as const;

/** Tip scores `ride.completed`: the meter's figures are known at drop-off, the tip only at payment. */
const tipSpec: FeatureSpec<RideCompleted> = {
  eventType: 'ride.completed',
  names: TIP_NAMES,
  count: TIP_NAMES.length,
  write(event, out, row) {
    const base = row * TIP_NAMES.length;
    const startedMs = Date.parse(event.startedAt);
    out[base] = event.tripDistance;
    out[base + 1] = event.fareAmount;
    out[base + 2] = (Date.parse(event.occurredAt) - startedMs) / 60_000;
    writeRideContext(event, startedMs, out, base + 3);
  },
};

/** One spec per prediction kind: which event it scores and how its feature row is written. */
export const FEATURE_SPECS: { readonly duration: FeatureSpec<RideStarted>; readonly tip: FeatureSpec<RideCompleted> } =
  { duration: durationSpec, tip: tipSpec };

/**
 * The feature matrix of a batch, row-major [events.length, spec.count], ready for one ONNX call.
 *
 * @example
 * const x = featurize(FEATURE_SPECS.duration, [started]); // Float32Array(14)
 */
export function featurize<E extends { type: string }>(spec: FeatureSpec<E>, events: readonly E[]): Float32Array {
  const out = new Float32Array(events.length * spec.count);
  events.forEach((e, i) => spec.write(e, out, i));
  return out;
}

/** The course baseline's categorical input: `"<pu>_<do>"`. */
export function puDoKey(event: { readonly puLocationId: number; readonly doLocationId: number }): string {
  return `${event.puLocationId}_${event.doLocationId}`;
}
