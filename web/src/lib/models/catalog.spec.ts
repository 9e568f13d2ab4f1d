import { describe, expect, it } from 'vitest';
import {
  familiesOf,
  formatContext,
  nextSort,
  sortModels,
  splitModelId,
  toggleCompare,
  type BaseModel,
} from './catalog';

const model = (id: string, family: string, params: number, extra: Partial<BaseModel> = {}): BaseModel => ({
  id,
  family,
  architecture: 'Qwen3ForCausalLM',
  params,
  activeParams: null,
  layers: 28,
  hiddenSize: 1024,
  contextLength: 40_960,
  licence: 'Apache-2.0',
  template: 'qwen3',
  thinking: true,
  loraTargets: ['q_proj'],
  ...extra,
});

const models = [
  model('Qwen/Qwen3-8B', 'Qwen3', 8.2, { contextLength: 131_072 }),
  model('Qwen/Qwen2.5-0.5B-Instruct', 'Qwen2.5', 0.49, { thinking: false }),
  model('deepseek-ai/deepseek-coder-1.3b-instruct', 'deepseek-coder', 1.35, { licence: 'DeepSeek License' }),
  model('Qwen/Qwen3-0.6B', 'Qwen3', 0.6),
];
const ids = (list: BaseModel[]) => list.map((m) => m.id);

describe('splitModelId', () => {
  it('separates the organisation from the name', () => {
    expect(splitModelId('Qwen/Qwen3-8B')).toEqual({ org: 'Qwen', name: 'Qwen3-8B' });
    expect(splitModelId('local-model')).toEqual({ org: '', name: 'local-model' });
  });
});

describe('familiesOf', () => {
  it('lists each family once, in catalogue order', () => {
    expect(familiesOf(models)).toEqual(['Qwen3', 'Qwen2.5', 'deepseek-coder']);
  });
});

describe('sortModels', () => {
  it('sorts by size both ways without changing the input', () => {
    expect(ids(sortModels(models, 'params', 'asc'))).toEqual([
      'Qwen/Qwen2.5-0.5B-Instruct',
      'Qwen/Qwen3-0.6B',
      'deepseek-ai/deepseek-coder-1.3b-instruct',
      'Qwen/Qwen3-8B',
    ]);
    expect(ids(sortModels(models, 'memory', 'desc'))[0]).toBe('Qwen/Qwen3-8B');
    expect(models[0]!.id).toBe('Qwen/Qwen3-8B');
  });

  it('sorts names naturally and keeps catalogue order for ties', () => {
    expect(ids(sortModels(models, 'name', 'asc'))).toEqual([
      'deepseek-ai/deepseek-coder-1.3b-instruct',
      'Qwen/Qwen2.5-0.5B-Instruct',
      'Qwen/Qwen3-0.6B',
      'Qwen/Qwen3-8B',
    ]);
    expect(ids(sortModels(models, 'thinking', 'desc'))).toEqual([
      'Qwen/Qwen3-8B',
      'deepseek-ai/deepseek-coder-1.3b-instruct',
      'Qwen/Qwen3-0.6B',
      'Qwen/Qwen2.5-0.5B-Instruct',
    ]);
    expect(ids(sortModels(models, 'contextLength', 'desc'))[0]).toBe('Qwen/Qwen3-8B');
  });

  it('flips the direction on the same column and starts ascending on a new one', () => {
    expect(nextSort({ key: 'params', direction: 'asc' }, 'params')).toEqual({ key: 'params', direction: 'desc' });
    expect(nextSort({ key: 'params', direction: 'desc' }, 'licence')).toEqual({ key: 'licence', direction: 'asc' });
  });
});

describe('toggleCompare', () => {
  it('adds and removes, and never holds more than the limit', () => {
    expect(toggleCompare(['a'], 'b')).toEqual(['a', 'b']);
    expect(toggleCompare(['a', 'b'], 'a')).toEqual(['b']);
    expect(toggleCompare(['a', 'b', 'c', 'd'], 'e')).toEqual(['a', 'b', 'c', 'd']);
    expect(toggleCompare(['a', 'b'], 'c', 2)).toEqual(['a', 'b']);
  });
});

describe('formatContext', () => {
  it('writes whole multiples of 1024 as K', () => {
    expect(formatContext(32_768)).toBe('32K');
    expect(formatContext(131_072)).toBe('128K');
    expect(formatContext(40_960)).toBe('40K');
    expect(formatContext(1000)).toBe('1000');
  });
});
