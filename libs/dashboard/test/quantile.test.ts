import { describe, expect, it } from 'vitest';
import { bucketDelta, histogramQuantile, type Bucket } from '../src/quantile';

const b = (pairs: [number, number][]): Bucket[] => pairs.map(([le, count]) => ({ le, count }));

describe('histogramQuantile', () => {
  it.each([
    // 10 observations in (0.1, 0.2]: the median is halfway through that bucket.
    [
      0.5,
      b([
        [0.1, 0],
        [0.2, 10],
        [Infinity, 10],
      ]),
      0.15,
    ],
    // Rank 9.5 of 10 falls in the second bucket (5 -> 10 between 0.1 and 1).
    [
      0.95,
      b([
        [0.1, 5],
        [1, 10],
        [Infinity, 10],
      ]),
      0.1 + 0.9 * (4.5 / 5),
    ],
    // The first bucket interpolates from 0.
    [
      0.5,
      b([
        [0.1, 4],
        [Infinity, 4],
      ]),
      0.05,
    ],
    // In the +Inf bucket: the highest finite bound, as PromQL answers.
    [
      0.99,
      b([
        [0.1, 1],
        [1, 1],
        [Infinity, 10],
      ]),
      1,
    ],
  ])('returns the %s quantile of %j as %s', (q, buckets, expected) => {
    expect(histogramQuantile(q, buckets)).toBeCloseTo(expected, 10);
  });

  it('returns undefined when nothing was observed, and reads buckets in any order', () => {
    expect(
      histogramQuantile(
        0.5,
        b([
          [0.1, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeUndefined();
    expect(
      histogramQuantile(
        0.5,
        b([
          [Infinity, 10],
          [0.2, 10],
          [0.1, 0],
        ]),
      ),
    ).toBeCloseTo(0.15);
  });

  it('rejects a quantile outside 0..1', () => {
    expect(() => histogramQuantile(95, b([[1, 1]]))).toThrow(RangeError);
  });
});

describe('bucketDelta', () => {
  it('returns what was observed between two scrapes', () => {
    expect(
      bucketDelta(
        b([
          [0.1, 3],
          [Infinity, 5],
        ]),
        b([
          [0.1, 4],
          [Infinity, 9],
        ]),
      ),
    ).toEqual(
      b([
        [0.1, 1],
        [Infinity, 4],
      ]),
    );
  });

  it('returns the whole histogram on the first scrape and after a restart (counters went down)', () => {
    expect(bucketDelta(undefined, b([[Infinity, 2]]))).toEqual(b([[Infinity, 2]]));
    expect(
      bucketDelta(
        b([
          [0.1, 9],
          [Infinity, 9],
        ]),
        b([
          [0.1, 1],
          [Infinity, 2],
        ]),
      ),
    ).toEqual(
      b([
        [0.1, 1],
        [Infinity, 2],
      ]),
    );
  });
});
