import { describe, expect, it } from 'vitest';
import { breakdown, splitDuration } from './estimate';

const estimate = {
  weightsGb: 15.3,
  trainableGb: 0.3,
  optimizerGb: 0.6,
  activationsGb: 2.8,
  totalGb: 21.9,
  trainableParams: 43_646_976,
  trainTokens: 120_000,
  seconds: 5000,
  fitsOn: ['24 GB (RTX 4090 / L4)'],
  warnings: [],
};

describe('breakdown', () => {
  it('lists the four parts and the remainder of the total as overhead', () => {
    const parts = breakdown(estimate);
    expect(parts.map((p) => p.part)).toEqual(['weights', 'trainable', 'optimizer', 'activations', 'overhead']);
    expect(parts[4]!.gb).toBeCloseTo(2.9, 6);
    expect(parts.reduce((sum, p) => sum + p.percent, 0)).toBeCloseTo(100, 6);
    expect(parts[0]!.percent).toBeCloseTo((15.3 / 21.9) * 100, 6);
  });

  it('never shows a negative overhead and copes with zero', () => {
    const parts = breakdown({ ...estimate, totalGb: 10 });
    expect(parts[4]!.gb).toBe(0);
    expect(parts.reduce((sum, p) => sum + p.percent, 0)).toBeCloseTo(100, 6);
    const zero = breakdown({ ...estimate, weightsGb: 0, trainableGb: 0, optimizerGb: 0, activationsGb: 0, totalGb: 0 });
    expect(zero.every((p) => p.percent === 0)).toBe(true);
  });
});

describe('splitDuration', () => {
  it('rounds to whole minutes and carries into hours and days', () => {
    expect(splitDuration(29)).toEqual({ days: 0, hours: 0, minutes: 0 });
    expect(splitDuration(5000)).toEqual({ days: 0, hours: 1, minutes: 23 });
    expect(splitDuration(90_000)).toEqual({ days: 1, hours: 1, minutes: 0 });
    expect(splitDuration(-5)).toEqual({ days: 0, hours: 0, minutes: 0 });
  });
});
