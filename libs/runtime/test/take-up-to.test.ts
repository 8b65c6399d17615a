import { describe, expect, it } from 'vitest';
import { takeUpTo } from '../src/index';

describe('takeUpTo', () => {
  it('takes the longest prefix within the budget, always the first item, and leaves the rest queued', () => {
    const queue = [2, 1, 3, 9, 1];
    expect(takeUpTo(queue, (n) => n, 4)).toEqual([2, 1]);
    expect(takeUpTo(queue, (n) => n, 4)).toEqual([3]);
    // Larger than the budget: alone, never split.
    expect(takeUpTo(queue, (n) => n, 4)).toEqual([9]);
    expect(takeUpTo(queue, (n) => n, 4)).toEqual([1]);
    expect(queue).toEqual([]);
    expect(takeUpTo(queue, (n) => n, 4)).toEqual([]);
  });
});
