import { describe, expect, it } from 'vitest';
import { quantile } from '../../../core/text/quantile';

describe('a quantile by the nearest rank', () => {
  it('gives the median, the 95th percentile and the maximum of a list in any order, and 0 for none', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect([quantile(values, 0.5), quantile(values, 0.95), quantile(values, 1), quantile(values, 0), quantile([], 0.5)]).toEqual([5, 10, 10, 1, 0]);
  });
});
