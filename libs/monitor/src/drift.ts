/**
 * Feature and prediction drift against the reference profile that training logs with each model
 * (`reference_profile.json`): binned distributions, compared window by window. The tests and thresholds follow
 * Evidently's defaults for large samples: Jensen-Shannon distance for categorical columns and the population
 * stability index beside it for numeric ones, drift when the distance reaches 0.1.
 */
import { z } from 'zod';

/** A column as training saw it: numeric (quantile bins) or categorical (its most frequent values + other). */
const numericColumn = z.object({
  type: z.literal('numeric'),
  /** Interior bin edges, ascending: `edges.length + 1` bins, the first `(-inf, edges[0])`, the last `[edges[n-1], inf)`. */
  edges: z.array(z.number()),
  /** Share of the reference in each bin (sums to 1). */
  proportions: z.array(z.number().min(0)),
  /** Share of missing values (NaN or the contract's -1 for an unknown passenger count). */
  missing: z.number().min(0).max(1),
});
const categoricalColumn = z.object({
  type: z.literal('categorical'),
  values: z.array(z.number()),
  /** Share per value, then one last share for every other value. */
  proportions: z.array(z.number().min(0)),
  missing: z.number().min(0).max(1),
});
export const referenceColumnSchema = z.discriminatedUnion('type', [numericColumn, categoricalColumn]);
export type ReferenceColumn = z.infer<typeof referenceColumnSchema>;

export const referenceProfileSchema = z.object({
  /** The model this profile belongs to. */
  kind: z.enum(['duration', 'tip']),
  rows: z.int().positive(),
  /** Feature columns by name (`FEATURE_SPECS[kind].names`), plus `prediction`. */
  columns: z.record(z.string(), referenceColumnSchema),
});
export type ReferenceProfile = z.infer<typeof referenceProfileSchema>;

/** Distances below this are noise; Evidently's default for Jensen-Shannon and PSI on large samples. */
export const DRIFT_THRESHOLD = 0.1;
/** Below this many values a window's distribution is too thin to judge. */
export const MIN_DRIFT_SAMPLE = 200;

/** Counts of one column in a window, binned like its reference. */
export interface ColumnHistogram {
  readonly counts: number[];
  missing: number;
  total: number;
}

export function emptyHistogram(ref: ReferenceColumn): ColumnHistogram {
  return { counts: new Array<number>(ref.proportions.length).fill(0), missing: 0, total: 0 };
}

/** The bin of `x` for a numeric column: binary search over the interior edges. */
function numericBin(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x >= edges[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function observe(ref: ReferenceColumn, h: ColumnHistogram, x: number, isMissing = Number.isNaN(x)): void {
  h.total += 1;
  if (isMissing) {
    h.missing += 1;
    return;
  }
  const bin =
    ref.type === 'numeric' ? numericBin(ref.edges, x) : ((i) => (i < 0 ? ref.values.length : i))(ref.values.indexOf(x));
  h.counts[bin] = (h.counts[bin] ?? 0) + 1;
}

// Laplace-style floor: an empty bin on one side must not make a distance infinite.
const EPS = 1e-4;

/** Jensen-Shannon distance (base 2, in [0, 1]) between two distributions over the same bins. */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = q[i]!;
    const m = (a + b) / 2;
    if (a > 0) js += 0.5 * a * Math.log2(a / m);
    if (b > 0) js += 0.5 * b * Math.log2(b / m);
  }
  return Math.sqrt(Math.max(0, js));
}

/** Population stability index over the same bins (floored, so an empty bin costs a lot but stays finite). */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[]): number {
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i]!, EPS);
    const c = Math.max(current[i]!, EPS);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

export interface ColumnDrift {
  readonly column: string;
  readonly sample: number;
  readonly jensenShannon: number;
  readonly psi: number;
  /** Share of missing values now, and in the reference. */
  readonly missing: number;
  readonly referenceMissing: number;
  /** Judged only with at least MIN_DRIFT_SAMPLE present values. */
  readonly drifted: boolean | null;
}

export function columnDrift(column: string, ref: ReferenceColumn, h: ColumnHistogram): ColumnDrift {
  const present = h.total - h.missing;
  const current = h.counts.map((c) => (present ? c / present : 0));
  const js = present ? jensenShannonDistance(ref.proportions, current) : NaN;
  const psi = present ? populationStabilityIndex(ref.proportions, current) : NaN;
  return {
    column,
    sample: present,
    jensenShannon: js,
    psi,
    missing: h.total ? h.missing / h.total : 0,
    referenceMissing: ref.missing,
    drifted: present >= MIN_DRIFT_SAMPLE ? js >= DRIFT_THRESHOLD : null,
  };
}

/** One window's histograms of every profiled column. */
export function createDriftWindow(profile: ReferenceProfile) {
  const histograms = new Map(Object.entries(profile.columns).map(([name, ref]) => [name, emptyHistogram(ref)]));
  return {
    /** `values[name]` for each profiled column present in the row; `missing` marks unknowns. */
    observe(values: Readonly<Record<string, number>>, missing: ReadonlySet<string> = new Set()): void {
      for (const [name, ref] of Object.entries(profile.columns)) {
        const x = values[name];
        if (x === undefined) continue;
        observe(ref, histograms.get(name)!, x, missing.has(name) || Number.isNaN(x));
      }
    },
    report(): ColumnDrift[] {
      return Object.entries(profile.columns).map(([name, ref]) => columnDrift(name, ref, histograms.get(name)!));
    },
    /** The histograms as plain data, for the monitor's snapshot. */
    state(): Record<string, ColumnHistogram> {
      return Object.fromEntries([...histograms].map(([name, h]) => [name, { ...h, counts: [...h.counts] }]));
    },
    /** Puts back what `state()` returned (columns the profile no longer has are dropped). */
    restore(state: Readonly<Record<string, ColumnHistogram>>): void {
      for (const [name, h] of Object.entries(state))
        if (histograms.has(name)) histograms.set(name, { ...h, counts: [...h.counts] });
    },
  };
}
