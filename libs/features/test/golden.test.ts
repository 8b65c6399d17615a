/**
 * Training/serving skew check: the golden file is written by the Python pipeline (training/bin/golden) from real
 * TLC rides: each ride's three v2 events, as replay publishes them, and the feature rows Python computes from
 * them for each kind; this test recomputes them with the TypeScript code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FEATURE_SPECS,
  featurize,
  nyWallTimeToEpochMs,
  toNyIsoString,
  validateRideEvent,
  type FeatureSpec,
  type PredictionKind,
  type RideCompleted,
  type RidePaid,
  type RideStarted,
} from '../src/index';

interface GoldenRow {
  rideId: string;
  naivePickup: string;
  naiveDropoff: string;
  events: { started: RideStarted; completed: RideCompleted; paid: RidePaid };
  features: Record<PredictionKind, number[]>;
  tags: string[];
}

const rows: GoldenRow[] = readFileSync(new URL('./fixtures/golden-features.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as GoldenRow);

const ny = (naive: string) => toNyIsoString(nyWallTimeToEpochMs(Date.parse(`${naive}Z`)));

function mismatches<E extends { type: string }>(spec: FeatureSpec<E>, kind: PredictionKind, pick: (r: GoldenRow) => E) {
  const x = featurize(spec, rows.map(pick));
  const found: string[] = [];
  rows.forEach((r, i) => {
    if (r.features[kind].length !== spec.count) found.push(`${r.rideId}: ${r.features[kind].length} features`);
    r.features[kind].forEach((expected, j) => {
      const actual = x[i * spec.count + j]!;
      if (Math.abs(actual - Math.fround(expected)) > 1e-6)
        found.push(`${r.rideId} ${spec.names[j]}: ts ${actual} py ${expected}`);
    });
  });
  return found;
}

describe('golden features written by Python', () => {
  it('holds at least 1,000 real rides, holidays and DST nights among them', () => {
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    const tags = new Set(rows.flatMap((r) => r.tags));
    expect([...tags]).toEqual(expect.arrayContaining(['holiday', 'dst-2023-03-12', 'synthetic-dst']));
  });

  it('returns every event as valid under the TypeScript contract', () => {
    const invalid = rows.flatMap((r) =>
      Object.values(r.events)
        .filter((e) => !validateRideEvent(e).ok)
        .map((e) => e.eventId),
    );
    expect(invalid).toEqual([]);
  });

  it('returns the same offset times from the naive TLC times as Python', () => {
    const found = rows.filter(
      (r) =>
        ny(r.naivePickup) !== r.events.started.occurredAt ||
        ny(r.naivePickup) !== r.events.completed.startedAt ||
        ny(r.naiveDropoff) !== r.events.completed.occurredAt,
    );
    expect(found.map((r) => r.rideId)).toEqual([]);
  });

  it('returns the same duration features (from ride.started) as Python for every ride', () => {
    expect(mismatches(FEATURE_SPECS.duration, 'duration', (r) => r.events.started).slice(0, 20)).toEqual([]);
  });

  it('returns the same tip features (from ride.completed) as Python for every ride', () => {
    expect(mismatches(FEATURE_SPECS.tip, 'tip', (r) => r.events.completed).slice(0, 20)).toEqual([]);
  });
});
