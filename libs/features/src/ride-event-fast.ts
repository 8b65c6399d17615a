/**
 * The consumers' fast path through validation: a hand-written check of the three event types that accepts only
 * what the zod contract accepts and returns what zod would return (the known fields, in the schema's order). It
 * answers `undefined` for anything it is not sure of (another type, a bad or missing field, an unusual value), and
 * the caller then runs the zod schema, which alone words the issues. Measured (bench/micro/per-record.ts): zod 4 costs
 * ~2.4 us per valid `ride.started`, this ~0.5 us; the parity tests (ride-event-fast.test.ts) feed both the golden
 * rides and mutated ones. `ride.paid` is scored by no consumer, yet every consumer validates it (a malformed one is
 * dead-lettered): through zod it was ~5 % of the course-model consumer's CPU at saturation (`--profile`).
 */
import { regexes } from 'zod/v4/core';
import type { RideCompleted, RidePaid, RideStarted } from './ride-event';

export interface FastBounds {
  readonly minZone: number;
  readonly maxZone: number;
  readonly maxMiles: number;
  readonly maxFare: number;
  readonly maxTotal: number;
  readonly version: number;
  /** The refine of `occurredAt`/`startedAt` (range and real calendar date), shared with the zod schema. */
  readonly instant: (iso: string) => boolean;
}

/** The regex zod 4 builds for `z.iso.datetime({ offset: true })`, so that both paths accept the same strings. */
const DATETIME = regexes.datetime({ offset: true, local: false, precision: null });
const ID = /^[A-Za-z0-9_.:-]+$/;

type Obj = Record<string, unknown>;

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const isNum = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const isId = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= max && ID.test(v);
const isInstant = (v: unknown, b: FastBounds): v is string => typeof v === 'string' && DATETIME.test(v) && b.instant(v);
const nullableInt = (v: unknown, min: number, max: number) => v === null || isInt(v, min, max);

function envelopeOk(o: Obj, b: FastBounds): boolean {
  return o.schemaVersion === b.version && isId(o.eventId, 96) && isId(o.rideId, 64) && isInstant(o.occurredAt, b);
}

/**
 * A valid `ride.started`, `ride.completed` or `ride.paid` exactly as the zod schema would return it, or `undefined`
 * when the value is anything else (then the schema decides and names the fields).
 */
export function fastRideEvent(value: unknown, b: FastBounds): RideStarted | RideCompleted | RidePaid | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Obj;
  if (o.type === 'ride.started') {
    if (
      !envelopeOk(o, b) ||
      !isInt(o.vendorId, 1, 6) ||
      !isInt(o.puLocationId, b.minZone, b.maxZone) ||
      !isInt(o.doLocationId, b.minZone, b.maxZone) ||
      !isNum(o.plannedDistance, 0, b.maxMiles) ||
      !nullableInt(o.passengerCount, 0, 9)
    )
      return undefined;
    return {
      schemaVersion: o.schemaVersion as RideStarted['schemaVersion'],
      eventId: o.eventId as string,
      rideId: o.rideId as string,
      occurredAt: o.occurredAt as string,
      type: 'ride.started',
      vendorId: o.vendorId as number,
      puLocationId: o.puLocationId as number,
      doLocationId: o.doLocationId as number,
      plannedDistance: o.plannedDistance as number,
      passengerCount: o.passengerCount as number | null,
    };
  }
  if (o.type === 'ride.completed') {
    if (
      !envelopeOk(o, b) ||
      !isInt(o.vendorId, 1, 6) ||
      !isInstant(o.startedAt, b) ||
      !isInt(o.puLocationId, b.minZone, b.maxZone) ||
      !isInt(o.doLocationId, b.minZone, b.maxZone) ||
      !isNum(o.tripDistance, 0, b.maxMiles) ||
      !isNum(o.fareAmount, 0, b.maxFare) ||
      !nullableInt(o.paymentType, 1, 6) ||
      !nullableInt(o.passengerCount, 0, 9)
    )
      return undefined;
    return {
      schemaVersion: o.schemaVersion as RideCompleted['schemaVersion'],
      eventId: o.eventId as string,
      rideId: o.rideId as string,
      occurredAt: o.occurredAt as string,
      type: 'ride.completed',
      vendorId: o.vendorId as number,
      startedAt: o.startedAt as string,
      puLocationId: o.puLocationId as number,
      doLocationId: o.doLocationId as number,
      tripDistance: o.tripDistance as number,
      fareAmount: o.fareAmount as number,
      paymentType: o.paymentType as number | null,
      passengerCount: o.passengerCount as number | null,
    };
  }
  if (o.type === 'ride.paid') {
    if (
      !envelopeOk(o, b) ||
      !nullableInt(o.paymentType, 1, 6) ||
      !isNum(o.tipAmount, 0, b.maxFare) ||
      !isNum(o.totalAmount, 0, b.maxTotal)
    )
      return undefined;
    return {
      schemaVersion: o.schemaVersion as RidePaid['schemaVersion'],
      eventId: o.eventId as string,
      rideId: o.rideId as string,
      occurredAt: o.occurredAt as string,
      type: 'ride.paid',
      paymentType: o.paymentType as number | null,
      tipAmount: o.tipAmount as number,
      totalAmount: o.totalAmount as number,
    };
  }
  return undefined;
}
