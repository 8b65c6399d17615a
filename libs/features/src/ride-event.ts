import { z } from 'zod';
import { FeaturesError, type FieldIssue } from './errors';

/** Version of the ride event and prediction contract; bump on any breaking change (docs/FEATURES.md). */
export const CONTRACT_VERSION = 1 as const;

export const MIN_ZONE = 1;
export const MAX_ZONE = 265;
/** Longer than any trip inside the TLC service area; larger values are data-entry errors. */
export const MAX_TRIP_DISTANCE_MILES = 200;
export const MAX_FARE_USD = 1000;
/** Bounds that reject impossible times (typos, epoch-zero defaults) while allowing historical replays. */
const MIN_PICKUP_MS = Date.UTC(2000, 0, 1);
const MAX_PICKUP_MS = Date.UTC(2100, 0, 1);

const zoneId = z.int().min(MIN_ZONE).max(MAX_ZONE);

/** An ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`) that names a real instant. */
const offsetDateTime = z.iso.datetime({ offset: true }).refine((s) => {
  const ms = Date.parse(s);
  return Number.isFinite(ms) && ms >= MIN_PICKUP_MS && ms < MAX_PICKUP_MS && isRealCalendarDate(s);
}, 'must be a real date-time between 2000 and 2100');

/** `Date.parse` rolls 2021-02-30 over to March; the contract rejects it instead. */
function isRealCalendarDate(iso: string): boolean {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The event the backend publishes on the `rides` topic when a ride starts. */
export const rideEventSchema = z.object({
  schemaVersion: z.literal(CONTRACT_VERSION),
  rideId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits and _ . : -'),
  vendorId: z.int().min(1).max(6),
  pickupAt: offsetDateTime,
  puLocationId: zoneId,
  doLocationId: zoneId,
  tripDistance: z.number().min(0).max(MAX_TRIP_DISTANCE_MILES),
  passengerCount: z.int().min(0).max(9).nullable(),
  paymentType: z.int().min(1).max(6).nullable(),
  fareAmount: z.number().min(0).max(MAX_FARE_USD),
});

export type RideEvent = z.infer<typeof rideEventSchema>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: FeaturesError };

export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

function describe(issues: readonly FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

/** Validates an already-decoded value. Never throws. */
export function validateRideEvent(value: unknown): ParseResult<RideEvent> {
  const result = rideEventSchema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issues = toFieldIssues(result.error);
  return { ok: false, error: new FeaturesError('INVALID_EVENT', `invalid ride event: ${describe(issues)}`, issues) };
}

// Replaces invalid UTF-8 with U+FFFD rather than throwing: binary garbage then fails JSON.parse with a reason.
const utf8 = new TextDecoder('utf-8');

/**
 * Decodes and validates the bytes of a Kafka/Kinesis record. Never throws: broken JSON, binary garbage and
 * contract violations all come back as a `FeaturesError` naming the fields, for the dead-letter headers.
 */
export function parseRideEvent(bytes: Uint8Array | string | null | undefined): ParseResult<RideEvent> {
  if (bytes == null) {
    return {
      ok: false,
      error: new FeaturesError('INVALID_JSON', 'empty record value', [{ path: '(root)', message: 'empty' }]),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : utf8.decode(bytes));
  } catch (cause) {
    return {
      ok: false,
      error: new FeaturesError(
        'INVALID_JSON',
        'record value is not valid JSON',
        [{ path: '(root)', message: 'not JSON' }],
        { cause },
      ),
    };
  }
  return validateRideEvent(value);
}

export interface IndexedIssue extends FieldIssue {
  /** Position in a batch request; absent for a single ride. */
  readonly index?: number;
}

/** Accepts one ride object or an array of rides; returns the valid rides or every issue, each naming its field. */
export function validateRideBatch(
  body: unknown,
  maxRides: number,
): { rides: RideEvent[] } | { issues: IndexedIssue[] } {
  const batch = Array.isArray(body);
  const items: unknown[] = batch ? body : [body];
  if (items.length === 0) return { issues: [{ path: '(root)', message: 'empty batch' }] };
  if (items.length > maxRides)
    return { issues: [{ path: '(root)', message: `at most ${maxRides} rides per request, got ${items.length}` }] };
  const rides: RideEvent[] = [];
  const issues: IndexedIssue[] = [];
  items.forEach((item, index) => {
    const r = validateRideEvent(item);
    if (r.ok) rides.push(r.value);
    else
      for (const i of r.error.issues)
        issues.push(batch ? { index, path: `[${index}].${i.path}`, message: i.message } : i);
  });
  return issues.length > 0 ? { issues: issues.slice(0, 100) } : { rides };
}
