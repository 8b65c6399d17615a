import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_GAP_MS, replayBatches, replaySchedule } from '../src/replay-clock';

const t = Date.UTC(2024, 0, 15, 8);
const min = 60_000;

describe('replaySchedule', () => {
  it('returns the ride clock sped up: one hour of rides per minute at speed 60', () => {
    const due = replaySchedule([t, t + min, t + 60 * min], { ratePerSec: 0, speed: 60, maxGapMs: Infinity });
    expect([...due]).toEqual([0, 1000, 60_000]);
  });

  it('returns 0 for every event without a rate or a speed (as fast as the producer accepts)', () => {
    const due = replaySchedule([t, t + min, t + 2 * min], { ratePerSec: 0, speed: 0, maxGapMs: DEFAULT_MAX_GAP_MS });
    expect([...due]).toEqual([0, 0, 0]);
  });

  it('returns the slower of the rate and the clock', () => {
    // Three events at the same instant at speed 60 would all leave at 0; 2 per second spreads them.
    const due = replaySchedule([t, t, t, t + 10 * min], { ratePerSec: 2, speed: 60, maxGapMs: Infinity });
    expect([...due]).toEqual([0, 500, 1000, 10_000]);
  });

  it('returns the gap cut to maxGapMs when a stray row is years away from the rest', () => {
    const stray = Date.UTC(2008, 11, 31);
    const due = replaySchedule([stray, t, t + min], { ratePerSec: 0, speed: 60, maxGapMs: 10 * min });
    expect([...due]).toEqual([0, 10_000, 11_000]);
  });

  it('returns a late (out-of-order) event at once, without pulling the clock back', () => {
    const due = replaySchedule([t, t + 2 * min, t + min, t + 3 * min], {
      ratePerSec: 0,
      speed: 60,
      maxGapMs: Infinity,
    });
    expect([...due]).toEqual([0, 2000, 2000, 3000]);
  });
});

describe('replayBatches', () => {
  it('returns requests of at most batchSize events, all due within the window of the first', () => {
    const due = Float64Array.from([0, 10, 20, 30, 500, 510, 2000]);
    expect(replayBatches(due, 3, 100)).toEqual([
      [0, 3],
      [3, 4],
      [4, 6],
      [6, 7],
    ]);
  });
});
