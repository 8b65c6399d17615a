import { describe, expect, it } from 'vitest';
import {
  columnDrift,
  createDriftWindow,
  DRIFT_THRESHOLD,
  jensenShannonDistance,
  MIN_DRIFT_SAMPLE,
  populationStabilityIndex,
  referenceProfileSchema,
  type ReferenceProfile,
} from '../src/index';

// Deciles of a uniform [0, 10) reference, and a three-valued categorical column.
const profile: ReferenceProfile = referenceProfileSchema.parse({
  kind: 'duration',
  rows: 10_000,
  columns: {
    planned_distance: {
      type: 'numeric',
      edges: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      proportions: new Array(10).fill(0.1),
      missing: 0,
    },
    vendor_id: { type: 'categorical', values: [1, 2], proportions: [0.5, 0.5, 0], missing: 0 },
    passenger_count: { type: 'numeric', edges: [1.5, 2.5], proportions: [0.7, 0.2, 0.1], missing: 0.05 },
  },
});

describe('distances', () => {
  it('returns 0 for equal distributions and 1 (JS) for disjoint ones', () => {
    expect(jensenShannonDistance([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(1, 12);
    expect(populationStabilityIndex([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(populationStabilityIndex([0.5, 0.5], [0.9, 0.1])).toBeGreaterThan(0.2);
  });

  it('returns a finite PSI when a bin is empty on one side', () => {
    expect(Number.isFinite(populationStabilityIndex([0.5, 0.5, 0], [0.4, 0.4, 0.2]))).toBe(true);
  });
});

describe('createDriftWindow', () => {
  it('returns no drift for a sample drawn like the reference, and drift for a shifted one', () => {
    const same = createDriftWindow(profile);
    const shifted = createDriftWindow(profile);
    for (let i = 0; i < 2000; i++) {
      const x = (i % 100) / 10; // uniform over [0, 10)
      same.observe({ planned_distance: x, vendor_id: 1 + (i % 2) });
      shifted.observe({ planned_distance: x / 3, vendor_id: 2 });
    }
    const get = (r: ReturnType<typeof same.report>, c: string) => r.find((d) => d.column === c)!;
    expect(get(same.report(), 'planned_distance')).toMatchObject({ drifted: false, sample: 2000 });
    expect(get(same.report(), 'planned_distance').jensenShannon).toBeLessThan(0.01);
    expect(get(same.report(), 'vendor_id').drifted).toBe(false);
    expect(get(shifted.report(), 'planned_distance').drifted).toBe(true);
    expect(get(shifted.report(), 'planned_distance').jensenShannon).toBeGreaterThanOrEqual(DRIFT_THRESHOLD);
    expect(get(shifted.report(), 'vendor_id').drifted).toBe(true);
  });

  it('counts values outside the known categories in the "other" share', () => {
    const w = createDriftWindow(profile);
    for (let i = 0; i < MIN_DRIFT_SAMPLE; i++) w.observe({ vendor_id: 6 });
    expect(w.report().find((d) => d.column === 'vendor_id')!.jensenShannon).toBeCloseTo(1, 6);
  });

  it('reports the share of missing values and judges nothing on a thin sample', () => {
    const w = createDriftWindow(profile);
    for (let i = 0; i < 10; i++)
      w.observe({ passenger_count: i < 3 ? -1 : 1 }, i < 3 ? new Set(['passenger_count']) : undefined);
    const d = w.report().find((r) => r.column === 'passenger_count')!;
    expect(d).toMatchObject({ sample: 7, missing: 0.3, referenceMissing: 0.05, drifted: null });
  });

  it('returns NaN distances, not zeros, for a column with no values', () => {
    const d = columnDrift('planned_distance', profile.columns.planned_distance!, {
      counts: new Array(10).fill(0),
      missing: 0,
      total: 0,
    });
    expect(d.jensenShannon).toBeNaN();
    expect(d.drifted).toBeNull();
  });
});
