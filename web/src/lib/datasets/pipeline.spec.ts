import { describe, expect, it } from 'vitest';
import { checkSteps, moveStep, newStep, stepIndexOf, toStepInput } from './pipeline';

describe('toStepInput', () => {
  it('sends only the fields the op uses', () => {
    expect(toStepInput(newStep('DEDUPE_EXACT'))).toEqual({ op: 'DEDUPE_EXACT' });
    expect(toStepInput(newStep('SHUFFLE'))).toEqual({ op: 'SHUFFLE', seed: 42 });
    expect(toStepInput(newStep('SAMPLE'))).toEqual({ op: 'SAMPLE', count: 1000 });
    expect(toStepInput(newStep('SPLIT'))).toEqual({ op: 'SPLIT', seed: 42, ratios: [0.8, 0.1, 0.1] });
  });

  it('leaves out length bounds that are empty', () => {
    const step = newStep('FILTER_LENGTH');
    step.values.maxTokens = '4096';
    expect(toStepInput(step)).toEqual({ op: 'FILTER_LENGTH', maxTokens: 4096 });
  });
});

describe('checkSteps', () => {
  it('accepts the defaults', () => {
    expect(checkSteps([newStep('DEDUPE_EXACT'), newStep('SHUFFLE'), newStep('SPLIT')])).toEqual({});
  });

  it('names problems by the same paths as the API', () => {
    const shuffle = newStep('SHUFFLE');
    shuffle.values.seed = '1.5';
    const split = newStep('SPLIT');
    split.ratios = ['0.5', '0.5', '0.5'];
    const filter = newStep('FILTER_LENGTH');
    expect(checkSteps([split, shuffle, filter])).toEqual({
      'steps.0.ratios': { key: 'pipeline.errors.ratioSum' },
      'steps.0.op': { key: 'pipeline.errors.splitLast' },
      'steps.1.seed': { key: 'pipeline.errors.wholeNumber' },
      'steps.2.op': { key: 'pipeline.errors.filterBound' },
    });
    expect(checkSteps([])).toEqual({ steps: { key: 'pipeline.errors.noSteps' } });
  });

  it('refuses a sample of no rows', () => {
    const sample = newStep('SAMPLE');
    sample.values.count = '0';
    expect(checkSteps([sample])).toEqual({ 'steps.0.count': { key: 'pipeline.errors.atLeastOne' } });
  });
});

describe('moveStep', () => {
  it('moves within bounds and ignores moves past the ends', () => {
    expect(moveStep(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveStep(['a', 'b', 'c'], 2, -2)).toEqual(['c', 'a', 'b']);
    expect(moveStep(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });
});

describe('stepIndexOf', () => {
  it('finds the step of a server field path', () => {
    expect(stepIndexOf('steps.3.ratios')).toBe(3);
    expect(stepIndexOf('steps.0')).toBe(0);
    expect(stepIndexOf('message')).toBeNull();
  });
});
