import { describe, expect, it } from 'vitest';
import { MAX_COMPARED, finalMetricRows, parseCompareIds } from './compare';

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

describe('finalMetricRows', () => {
  it('puts each final metric of every run side by side and marks the lowest loss', () => {
    const rows = finalMetricRows([
      { finalMetrics: { train_loss: 1.2, train_runtime: 30, note: 'x' } },
      { finalMetrics: { train_loss: 0.9, eval_loss: 1.1 } },
      { finalMetrics: null },
    ]);
    expect(rows).toEqual([
      { key: 'eval_loss', values: [null, 1.1, null], best: null },
      { key: 'train_loss', values: [1.2, 0.9, null], best: 1 },
      { key: 'train_runtime', values: [30, null, null], best: null },
    ]);
  });
});
