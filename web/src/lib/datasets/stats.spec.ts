import { describe, expect, it } from 'vitest';
import { bucketLabel, compact, readStats } from './stats';

describe('readStats', () => {
  it('reads the API stats JSON and tolerates missing parts', () => {
    const stats = readStats({
      rows: 3,
      chars: { min: 1, max: 20, mean: 9, p50: 8, p95: 20, edges: [0, 8, 16], counts: [1, 1, 1] },
      tokens: null,
      roles: { user: 3, assistant: 3 },
      languages: { zh: 2, en: 1 },
      exactDuplicates: 1,
    });
    expect(stats?.chars?.counts).toEqual([1, 1, 1]);
    expect(stats?.tokens).toBeNull();
    expect(stats?.turns).toBeNull();
    expect(stats?.languages).toEqual({ zh: 2, en: 1, other: 0 });
    expect(stats?.nearDuplicates).toBe(0);
    expect(readStats(null)).toBeNull();
  });

  it('refuses a histogram whose edges and counts disagree', () => {
    expect(readStats({ chars: { edges: [0, 8], counts: [1] } })?.chars).toBeNull();
  });
});

describe('labels', () => {
  it('labels buckets and compacts big numbers', () => {
    expect(bucketLabel([0, 8, 16], 0)).toBe('0–7');
    expect(bucketLabel([0, 8, 16], 2)).toBe('≥ 16');
    expect(compact(1536)).toBe('1.5k');
    expect(compact(2_000_000)).toBe('2M');
  });
});
