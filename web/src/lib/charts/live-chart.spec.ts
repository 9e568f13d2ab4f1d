import { describe, expect, it } from 'vitest';
import { tickLabel } from './live-chart';

describe('y tick labels', () => {
  it('keep small learning rates and large token rates readable', () => {
    expect(tickLabel(0)).toBe('0');
    expect(tickLabel(0.0002)).toBe('2.0e-4');
    expect(tickLabel(11.9375)).toBe('11.94');
    expect(tickLabel(0.05)).toBe('0.05');
    expect(tickLabel(150000)).toBe('1.5e+5');
  });
});
