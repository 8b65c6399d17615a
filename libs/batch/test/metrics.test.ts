import { describe, expect, it } from 'vitest';
import { regressionMetrics } from '../src/index';

describe('regressionMetrics', () => {
  it('returns rmse and mae', () => {
    const m = regressionMetrics(Float32Array.from([1, 2, 3]), [1, 4, 0]);
    expect(m.mae).toBeCloseTo(5 / 3, 10);
    expect(m.rmse).toBeCloseTo(Math.sqrt(13 / 3), 10);
  });

  it('fails on arrays of different lengths or no rows', () => {
    expect(() => regressionMetrics([1], [1, 2])).toThrow(RangeError);
    expect(() => regressionMetrics([], [])).toThrow(RangeError);
  });
});
