/**
 * Training/serving skew check: the golden file is written by the Python pipeline (training/bin/golden) from real
 * TLC rides with the features Python computes; this test recomputes them with the TypeScript code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  featurize,
  nyWallTimeToEpochMs,
  toNyIsoString,
  validateRideEvent,
  type RideEvent,
} from '../src/index';

interface GoldenRow {
  event: RideEvent;
  naivePickup: string;
  features: number[];
}

const rows: GoldenRow[] = readFileSync(new URL('./fixtures/golden-features.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as GoldenRow);

describe('golden features written by Python', () => {
  it('holds at least 1,000 real rides', () => {
    expect(rows.length).toBeGreaterThanOrEqual(1000);
  });

  it('returns every event as valid under the TypeScript contract', () => {
    const invalid = rows.filter((r) => !validateRideEvent(r.event).ok).map((r) => r.event.rideId);
    expect(invalid).toEqual([]);
  });

  it('returns the same offset time from the naive TLC time as Python', () => {
    const mismatches = rows
      .map((r) => ({
        id: r.event.rideId,
        ts: toNyIsoString(nyWallTimeToEpochMs(Date.parse(`${r.naivePickup}Z`))),
        py: r.event.pickupAt,
      }))
      .filter((m) => m.ts !== m.py);
    expect(mismatches).toEqual([]);
  });

  it('returns the same 14 float32 features as Python for every ride', () => {
    const x = featurize(rows.map((r) => r.event));
    const mismatches: string[] = [];
    rows.forEach((r, i) => {
      expect(r.features).toHaveLength(FEATURE_COUNT);
      r.features.forEach((expected, j) => {
        const actual = x[i * FEATURE_COUNT + j]!;
        if (Math.abs(actual - Math.fround(expected)) > 1e-6)
          mismatches.push(`${r.event.rideId} ${FEATURE_NAMES[j]}: ts ${actual} py ${expected}`);
      });
    });
    expect(mismatches.slice(0, 20)).toEqual([]);
  });
});
