/** How fast a replay goes: a cap on events per second, the ride's clock sped up, or both (the slower wins). */
export interface ReplayPace {
  /** Events per second; 0 = no cap. */
  readonly ratePerSec: number;
  /** Ride time per wall time (60 = one hour of rides per minute); 0 = ignore the ride's clock. */
  readonly speed: number;
  /**
   * The longest silence of ride time the replay waits through, in ride-time ms. A month has a few stray rows
   * hours or years from the rest (meter clocks set wrong); their gap is cut to this instead of stalling the replay.
   */
  readonly maxGapMs: number;
}

/** Default `maxGapMs`: ten minutes of ride time (a green-taxi month is never quiet that long). */
export const DEFAULT_MAX_GAP_MS = 10 * 60_000;

/**
 * When each event may leave, in wall-clock ms after the replay starts, for events in the order they are sent.
 * On the ride's clock, event i leaves (its ride time - the first event's, gaps capped at `maxGapMs`) / speed after
 * the start. The clock follows the latest ride time seen so far: an event older than that (late, out of order)
 * leaves at once, never in the past, and does not pull the clock back.
 * With a rate, event i also leaves no sooner than i / rate seconds. Pure, so tested without a clock.
 *
 * @example
 * replaySchedule([t, t + 60_000], { ratePerSec: 0, speed: 60, maxGapMs: DEFAULT_MAX_GAP_MS }) // [0, 1000]
 */
export function replaySchedule(eventTimesMs: readonly number[], pace: ReplayPace): Float64Array {
  const due = new Float64Array(eventTimesMs.length);
  let rideElapsedMs = 0;
  let latestMs = eventTimesMs[0] ?? 0;
  for (let i = 0; i < eventTimesMs.length; i++) {
    const at = eventTimesMs[i]!;
    if (at > latestMs) {
      rideElapsedMs += Math.min(at - latestMs, pace.maxGapMs);
      latestMs = at;
    }
    const byClock = pace.speed > 0 ? rideElapsedMs / pace.speed : 0;
    const byRate = pace.ratePerSec > 0 ? (i / pace.ratePerSec) * 1000 : 0;
    due[i] = Math.max(byClock, byRate);
  }
  return due;
}

/**
 * Cuts the events into requests: consecutive events, at most `batchSize`, all due within `windowMs` of the first
 * (so a request never carries an event much earlier than its time). Returns [start, end) index pairs.
 */
export function replayBatches(due: Float64Array, batchSize: number, windowMs: number): [number, number][] {
  const batches: [number, number][] = [];
  let start = 0;
  while (start < due.length) {
    let end = start + 1;
    while (end < due.length && end - start < batchSize && due[end]! - due[start]! <= windowMs) end++;
    batches.push([start, end]);
    start = end;
  }
  return batches;
}
