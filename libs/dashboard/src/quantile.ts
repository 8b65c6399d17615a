/**
 * Percentiles from Prometheus histogram buckets, the way PromQL's `histogram_quantile` reads them: linear
 * interpolation inside the bucket that holds the rank, the lower edge of the first bucket taken as 0, and the
 * highest finite bound returned when the rank falls in the `+Inf` bucket.
 */

/** One cumulative bucket: `count` observations were <= `le`. */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The q-quantile (0..1) of the observations in `buckets` (cumulative, any order), or undefined when there are none.
 *
 * @example
 * histogramQuantile(0.5, [{ le: 0.1, count: 0 }, { le: 0.2, count: 10 }, { le: Infinity, count: 10 }]) // 0.15
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within 0..1, got ${q}`);
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank && b.count > prevCount) {
      if (b.le === Infinity) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / (b.count - prevCount);
    }
    prevLe = b.le === Infinity ? prevLe : b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/**
 * What was observed between two scrapes of the same histogram: `after - before` per bucket. A counter that went
 * down means the process restarted: then everything in `after` is new.
 */
export function bucketDelta(before: readonly Bucket[] | undefined, after: readonly Bucket[]): Bucket[] {
  if (!before) return [...after];
  const prev = new Map(before.map((b) => [b.le, b.count]));
  const delta = after.map((b) => ({ le: b.le, count: b.count - (prev.get(b.le) ?? 0) }));
  return delta.some((b) => b.count < 0) ? [...after] : delta;
}
