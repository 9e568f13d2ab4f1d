import { describe, expect, it } from 'vitest';
import { diffConfigs, flattenConfig } from './config-diff';

describe('flattenConfig', () => {
  it('turns nested objects into dotted paths and keeps arrays whole', () => {
    expect(
      flattenConfig({ hyperparameters: { learningRate: 0.0002, targets: ['q_proj', 'v_proj'] }, method: 'lora' }),
    ).toEqual({
      'hyperparameters.learningRate': '0.0002',
      'hyperparameters.targets': '["q_proj","v_proj"]',
      method: 'lora',
    });
  });

  it('keeps null values', () => {
    expect(flattenConfig({ evalSteps: null })).toEqual({ evalSteps: 'null' });
  });
});

describe('diffConfigs', () => {
  it('marks the values that differ between runs', () => {
    const rows = diffConfigs([
      { hp: { lr: 1, epochs: 2 }, method: 'lora' },
      { hp: { lr: 3, epochs: 2 }, method: 'lora' },
    ]);
    expect(rows).toEqual([
      { key: 'hp.epochs', values: ['2', '2'], differs: false },
      { key: 'hp.lr', values: ['1', '3'], differs: true },
      { key: 'method', values: ['lora', 'lora'], differs: false },
    ]);
  });

  it('counts a value only one run has as a difference', () => {
    const rows = diffConfigs([{ a: 1 }, { a: 1, b: true }, { a: 1 }]);
    expect(rows.find((r) => r.key === 'b')).toEqual({
      key: 'b',
      values: [undefined, 'true', undefined],
      differs: true,
    });
    expect(rows.find((r) => r.key === 'a')?.differs).toBe(false);
  });

  it('gives no rows for no runs', () => {
    expect(diffConfigs([])).toEqual([]);
  });
});
