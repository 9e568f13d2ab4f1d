import { describe, expect, it } from 'vitest';
import { etaSeconds, progressPercent } from './eta';

const start = '2026-01-01T00:00:00.000Z';
const at = (seconds: number) => Date.parse(start) + seconds * 1000;

describe('etaSeconds', () => {
  it('extrapolates the pace so far to the steps left', () => {
    expect(etaSeconds({ step: 25, totalSteps: 100 }, start, at(50))).toBe(150);
  });

  it('measures the pace from the step an attempt resumed from', () => {
    expect(etaSeconds({ step: 60, totalSteps: 100 }, start, at(20), 50)).toBe(80);
  });

  it('says nothing before the first step, without a total or a start', () => {
    expect(etaSeconds({ step: 0, totalSteps: 100 }, start, at(10))).toBeNull();
    expect(etaSeconds({ step: 5, totalSteps: null }, start, at(10))).toBeNull();
    expect(etaSeconds({ step: 5, totalSteps: 100 }, null, at(10))).toBeNull();
    expect(etaSeconds(null, start, at(10))).toBeNull();
  });

  it('says nothing when the clock is behind the start', () => {
    expect(etaSeconds({ step: 5, totalSteps: 100 }, start, at(-5))).toBeNull();
  });

  it('is zero once every step is done', () => {
    expect(etaSeconds({ step: 100, totalSteps: 100 }, start, at(30))).toBe(0);
  });
});

describe('progressPercent', () => {
  it('is the share of steps done, clamped', () => {
    expect(progressPercent({ step: 30, totalSteps: 120 })).toBe(25);
    expect(progressPercent({ step: 130, totalSteps: 120 })).toBe(100);
  });

  it('is null without a total', () => {
    expect(progressPercent({ step: 3, totalSteps: 0 })).toBeNull();
    expect(progressPercent(undefined)).toBeNull();
  });
});
