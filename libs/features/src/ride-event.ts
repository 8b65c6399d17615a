import { z } from 'zod';
import { FeaturesError, type FieldIssue } from './errors';
import { fastRideEvent, type FastBounds } from './ride-event-fast';

/** Version of the ride event and prediction contract; bump on any breaking change (docs/FEATURES.md). */
export const CONTRACT_VERSION = 2 as const;
/** Versions that once existed and are now refused with `CONTRACT_VERSION_RETIRED` rather than "invalid". */
const RETIRED_VERSIONS: readonly unknown[] = [1];

/** What happens to a ride, in the order it happens. Each event carries only what is known at that moment. */
export const RIDE_EVENT_TYPES = ['ride.started', 'ride.completed', 'ride.paid'] as const;
export type RideEventType = (typeof RIDE_EVENT_TYPES)[number];

export const MIN_ZONE = 1;
export const MAX_ZONE = 265;
/** Longer than any trip inside the TLC service area; larger values are data-entry errors. */
export const MAX_TRIP_DISTANCE_MILES = 200;
export const MAX_FARE_USD = 1000;
/** Fare plus surcharges, tolls and tip. */
export const MAX_TOTAL_USD = 2000;
/** Bounds that reject impossible times (typos, epoch-zero defaults) while allowing historical replays. */
const MIN_EVENT_MS = Date.UTC(2000, 0, 1);
const MAX_EVENT_MS = Date.UTC(2100, 0, 1);

const ID = /^[A-Za-z0-9_.:-]+$/;
const zoneId = z.int().min(MIN_ZONE).max(MAX_ZONE);
const vendorId = z.int().min(1).max(6);
const passengerCount = z.int().min(0).max(9).nullable();
/** TLC codes: 1 card, 2 cash, 3 no charge, 4 dispute, 5 unknown, 6 voided; null when the backend has none. */
const paymentType = z.int().min(1).max(6).nullable();
const miles = z.number().min(0).max(MAX_TRIP_DISTANCE_MILES);

/** An ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`) that names a real instant. */
const isEventInstant = (s: string) => {
  const ms = Date.parse(s);
  return Number.isFinite(ms) && ms >= MIN_EVENT_MS && ms < MAX_EVENT_MS && isRealCalendarDate(s);
};
const offsetDateTime = z.iso
  .datetime({ offset: true })
  .refine(isEventInstant, 'must be a real date-time between 2000 and 2100');

/** `Date.parse` rolls 2021-02-30 over to March; the contract rejects it instead. */
function isRealCalendarDate(iso: string): boolean {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Fields every ride event carries. */
const envelope = {
  schemaVersion: z.literal(CONTRACT_VERSION),
  /** Unique per event; replay writes `<rideId>:started`, `<rideId>:completed`, `<rideId>:paid`. */
  eventId: z.string().min(1).max(96).regex(ID, 'only letters, digits and _ . : -'),
  /** The partition key: one ride's events stay in order. */
  rideId: z.string().min(1).max(64).regex(ID, 'only letters, digits and _ . : -'),
  /** When it happened (pickup, drop-off, payment), not when it was published. */
  occurredAt: offsetDateTime,
};

/** Dispatch, at pickup: where the ride goes and how far the planned route is. Nothing known later. */
export const rideStartedSchema = z.object({
  ...envelope,
  type: z.literal('ride.started'),
  vendorId,
  puLocationId: zoneId,
  /** The destination the rider entered. */
  doLocationId: zoneId,
  /** Miles of the planned route (replay: TLC `trip_distance`, its stand-in). */
  plannedDistance: miles,
  passengerCount,
});

/** The meter, at drop-off: a self-contained trip summary (a consumer never needs the matching start). */
export const rideCompletedSchema = z.object({
  ...envelope,
  type: z.literal('ride.completed'),
  vendorId,
  /** Pickup time; must not be after `occurredAt` (the drop-off), else `DROPOFF_BEFORE_PICKUP`. */
  startedAt: offsetDateTime,
  puLocationId: zoneId,
  doLocationId: zoneId,
  /** Metered miles. */
  tripDistance: miles,
  /** Metered fare, dollars. */
  fareAmount: z.number().min(0).max(MAX_FARE_USD),
  paymentType,
  passengerCount,
});

/** Payments: the ground truth for tips. */
export const ridePaidSchema = z.object({
  ...envelope,
  type: z.literal('ride.paid'),
  paymentType,
  tipAmount: z.number().min(0).max(MAX_FARE_USD),
  totalAmount: z.number().min(0).max(MAX_TOTAL_USD),
});

/** Any v2 ride event, discriminated by `type`. The drop-off rule is checked by `validateRideEvent`. */
export const rideEventSchema = z.discriminatedUnion('type', [rideStartedSchema, rideCompletedSchema, ridePaidSchema]);

export type RideStarted = z.infer<typeof rideStartedSchema>;
export type RideCompleted = z.infer<typeof rideCompletedSchema>;
export type RidePaid = z.infer<typeof ridePaidSchema>;
export type RideEvent = RideStarted | RideCompleted | RidePaid;

/** The schema's bounds, for the fast path of `validateRideEvent` (ride-event-fast.ts; exported for its tests only). */
export const FAST_BOUNDS: FastBounds = {
  minZone: MIN_ZONE,
  maxZone: MAX_ZONE,
  maxMiles: MAX_TRIP_DISTANCE_MILES,
  maxFare: MAX_FARE_USD,
  maxTotal: MAX_TOTAL_USD,
  version: CONTRACT_VERSION,
  instant: isEventInstant,
};

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: FeaturesError };

export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

function describe(issues: readonly FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

function fail(code: FeaturesError['code'], what: string, issues: FieldIssue[]): ParseResult<never> {
  return { ok: false, error: new FeaturesError(code, `${what}: ${describe(issues)}`, { issues }) };
}

/**
 * Validates an already-decoded value. Never throws. A v1 event is `CONTRACT_VERSION_RETIRED`; a drop-off
 * before its pickup is `DROPOFF_BEFORE_PICKUP` naming `occurredAt`; anything else is `INVALID_EVENT` naming
 * every field at fault (an unknown `type` names `type`).
 *
 * @example validateRideEvent(JSON.parse(text)) // { ok: true, value: { type: 'ride.started', ... } }
 */
export function validateRideEvent(value: unknown): ParseResult<RideEvent> {
  const version =
    typeof value === 'object' && value !== null ? (value as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (RETIRED_VERSIONS.includes(version)) {
    return fail('CONTRACT_VERSION_RETIRED', 'retired ride event', [
      {
        path: 'schemaVersion',
        message: `ride event v${String(version)} is retired; send schemaVersion ${CONTRACT_VERSION} (ride.started, ride.completed, ride.paid)`,
      },
    ]);
  }
  // The common case without zod (~5x cheaper); anything the fast path is unsure of goes through the schema.
  let event: RideEvent | undefined = fastRideEvent(value, FAST_BOUNDS);
  if (!event) {
    const result = rideEventSchema.safeParse(value);
    if (!result.success) return fail('INVALID_EVENT', 'invalid ride event', toFieldIssues(result.error));
    event = result.data;
  }
  if (event.type === 'ride.completed' && Date.parse(event.occurredAt) < Date.parse(event.startedAt)) {
    return fail('DROPOFF_BEFORE_PICKUP', 'invalid ride event', [
      { path: 'occurredAt', message: `drop-off ${event.occurredAt} is before the pickup startedAt ${event.startedAt}` },
    ]);
  }
  return { ok: true, value: event };
}

// Replaces invalid UTF-8 with U+FFFD rather than throwing: binary garbage then fails JSON.parse with a reason.
const utf8 = new TextDecoder('utf-8');

/**
 * Decodes and validates the bytes of a Kafka/Kinesis record. Never throws: broken JSON, binary garbage and
 * contract violations all come back as a `FeaturesError` naming the fields, for the dead-letter headers.
 */
export function parseRideEvent(bytes: Uint8Array | string | null | undefined): ParseResult<RideEvent> {
  if (bytes == null) return fail('INVALID_JSON', 'empty record value', [{ path: '(root)', message: 'empty' }]);
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : utf8.decode(bytes));
  } catch (cause) {
    return {
      ok: false,
      error: new FeaturesError('INVALID_JSON', 'record value is not valid JSON', {
        issues: [{ path: '(root)', message: 'not JSON' }],
        cause,
      }),
    };
  }
  return validateRideEvent(value);
}

export interface IndexedIssue extends FieldIssue {
  /** Position in a batch request; absent for a single event. */
  readonly index?: number;
}

/** Accepts one event or an array of events; returns the valid events or every issue, each naming its field. */
export function validateRideBatch(
  body: unknown,
  maxEvents: number,
): { events: RideEvent[] } | { issues: IndexedIssue[] } {
  const batch = Array.isArray(body);
  const items: unknown[] = batch ? body : [body];
  if (items.length === 0) return { issues: [{ path: '(root)', message: 'empty batch' }] };
  if (items.length > maxEvents)
    return { issues: [{ path: '(root)', message: `at most ${maxEvents} events per request, got ${items.length}` }] };
  const events: RideEvent[] = [];
  const issues: IndexedIssue[] = [];
  items.forEach((item, index) => {
    const r = validateRideEvent(item);
    if (r.ok) events.push(r.value);
    else
      for (const i of r.error.issues)
        issues.push(batch ? { index, path: `[${index}].${i.path}`, message: i.message } : i);
  });
  return issues.length > 0 ? { issues: issues.slice(0, 100) } : { events };
}
