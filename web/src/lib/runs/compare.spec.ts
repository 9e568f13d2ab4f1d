import { describe, expect, it } from 'vitest';
import { MAX_COMPARED, parseCompareIds } from './compare';

describe('parseCompareIds', () => {
  it('keeps unique ids in the given order', () => {
    expect(parseCompareIds('b, a,,b')).toEqual(['b', 'a']);
  });

  it('is empty without the parameter and capped with too many', () => {
    expect(parseCompareIds(null)).toEqual([]);
    const many = Array.from({ length: 20 }, (_, i) => `r${i}`).join(',');
    expect(parseCompareIds(many)).toHaveLength(MAX_COMPARED);
  });
});
