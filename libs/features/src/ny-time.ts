/**
 * New York local time without depending on the machine's time zone.
 *
 * Intl is the source of truth for the America/New_York rules, but `formatToParts` costs microseconds, so the
 * UTC offset is memoised per UTC hour: DST transitions in New York happen on the hour (02:00 local), so the
 * offset is constant within any UTC hour.
 */
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

const nyFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

const offsetByUtcHour = new Map<number, number>();
/** Bounded so that a stream of random far-apart times cannot grow the cache without limit. */
const MAX_CACHED_HOURS = 100_000;

function computeOffsetMs(epochMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of nyFormat.formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wallAsUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  const floorSecond = Math.floor(epochMs / 1000) * 1000;
  return Math.round((wallAsUtc - floorSecond) / MINUTE_MS) * MINUTE_MS;
}

/** New York's offset from UTC at an instant, in ms (-5 h in winter, -4 h in summer). */
function nyOffsetMs(epochMs: number): number {
  const hour = Math.floor(epochMs / HOUR_MS);
  let offset = offsetByUtcHour.get(hour);
  if (offset === undefined) {
    offset = computeOffsetMs(hour * HOUR_MS);
    if (offsetByUtcHour.size >= MAX_CACHED_HOURS) offsetByUtcHour.clear();
    offsetByUtcHour.set(hour, offset);
  }
  return offset;
}

export interface LocalTimeParts {
  /** hour + minute / 60, seconds ignored: [0, 24) */
  readonly hour: number;
  /** 0 = Monday ... 6 = Sunday */
  readonly dayOfWeek: number;
  /** The local calendar date: year, month 1-12, day 1-31. */
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Hour of day, day of week and calendar date in New York at an instant. */
export function nyLocalParts(epochMs: number): LocalTimeParts {
  const wall = new Date(epochMs + nyOffsetMs(epochMs));
  return {
    hour: wall.getUTCHours() + wall.getUTCMinutes() / 60,
    dayOfWeek: (wall.getUTCDay() + 6) % 7,
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
  };
}

/**
 * Turns a naive New York wall-clock time (as TLC publishes it) into an instant.
 * Ambiguous times (the repeated hour when DST ends) take the earlier instant (EDT); times in the
 * spring-forward gap do not exist and are shifted forward by one hour. Python does the same (docs/FEATURES.md).
 *
 * @example nyWallTimeToEpochMs(Date.UTC(2021, 0, 1, 0, 15)) // 2021-01-01T05:15:00Z
 */
export function nyWallTimeToEpochMs(wallAsUtcMs: number): number {
  for (const shift of [0, HOUR_MS]) {
    const wall = wallAsUtcMs + shift;
    // The summer offset first: in the repeated hour it gives the earlier instant.
    for (const candidate of [-4 * HOUR_MS, -5 * HOUR_MS]) {
      const instant = wall - candidate;
      if (nyOffsetMs(instant) === candidate) return instant;
    }
  }
  throw new RangeError(`no New York instant for wall time ${new Date(wallAsUtcMs).toISOString()}`);
}

/** ISO 8601 with New York's offset, e.g. `2021-01-01T00:15:56-05:00`. */
export function toNyIsoString(epochMs: number): string {
  const offset = nyOffsetMs(epochMs);
  const wall = new Date(epochMs + offset).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / MINUTE_MS;
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${wall}${sign}${hh}:${mm}`;
}
