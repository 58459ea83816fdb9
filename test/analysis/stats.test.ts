import { describe, expect, it } from 'vitest';
import { durationStats, nearestRank } from '../../src/analysis/stats.js';

describe('nearest-rank percentiles', () => {
  it('picks d[ceil(p/100*n)] of the sorted values', () => {
    const values = Array.from({ length: 200 }, (_, i) => i + 1); // 1..200
    expect(nearestRank(values, 50)).toBe(100);
    expect(nearestRank(values, 95)).toBe(190);
    expect(nearestRank(values, 99)).toBe(198);
    expect(nearestRank(values, 100)).toBe(200);
  });

  it('with few values p99 is the maximum, with one value everything is that value', () => {
    expect(nearestRank([3, 5, 9], 99)).toBe(9);
    expect(nearestRank([3, 5, 9], 50)).toBe(5);
    expect(durationStats([42.5])).toEqual({ count: 1, p50Ms: 42.5, p95Ms: 42.5, p99Ms: 42.5, maxMs: 42.5, drainWindowMs: 42.5 });
  });

  it('sorts its input and never interpolates', () => {
    const stats = durationStats([10.5, 1.25, 7, 3, 100]);
    expect(stats).toEqual({ count: 5, p50Ms: 7, p95Ms: 100, p99Ms: 100, maxMs: 100, drainWindowMs: 100 });
  });

  it('no durations: no values', () => {
    expect(durationStats([])).toEqual({ count: 0, p50Ms: undefined, p95Ms: undefined, p99Ms: undefined, maxMs: undefined, drainWindowMs: undefined });
    expect(nearestRank([], 50)).toBeUndefined();
  });
});
