import { describe, expect, it } from 'vitest';
import {
  baseRef,
  emptyEvaluationForm,
  estimate,
  setRows,
  suggestedBases,
  suitesFor,
  toCreateEvaluationInput,
  versionRef,
  type EvaluationForm,
} from './form';

function form(change: (f: EvaluationForm) => void = () => {}): EvaluationForm {
  const f = emptyEvaluationForm();
  f.datasetVersionId = 'set-v2';
  f.targets = [baseRef('llm-trainer/tiny-qwen3'), versionRef('mv-1')];
  change(f);
  return f;
}

describe('toCreateEvaluationInput', () => {
  it('sends the targets as the API names them and leaves empty fields to the API’s defaults', () => {
    expect(toCreateEvaluationInput(form())).toEqual({
      input: {
        datasetVersionId: 'set-v2',
        targets: [{ baseModelId: 'llm-trainer/tiny-qwen3' }, { modelVersionId: 'mv-1' }],
        suites: { perplexity: {}, generation: { doSample: false, thinking: 'off' } },
        priority: 0,
      },
      problems: {},
    });
  });

  it('sends sampling settings only for sampled generation, and what is typed', () => {
    const { input, problems } = toCreateEvaluationInput(
      form((f) => {
        f.perplexity.on = false;
        f.generation = {
          ...f.generation,
          sampled: true,
          maxNewTokens: '64',
          temperature: '0.7',
          topP: '0.9',
          seed: '7',
          thinking: 'on',
        };
        f.maxExamples = '100';
        f.bootstrapSamples = '500';
        f.name = '  base vs tuned  ';
      }),
    );
    expect(problems).toEqual({});
    expect(input).toMatchObject({
      name: 'base vs tuned',
      maxExamples: 100,
      bootstrapSamples: 500,
      suites: {
        generation: { maxNewTokens: 64, doSample: true, temperature: 0.7, topP: 0.9, seed: 7, thinking: 'on' },
      },
    });
    expect(input.suites.perplexity).toBeUndefined();
    const greedy = toCreateEvaluationInput(form((f) => (f.generation.temperature = 'not read'))).input;
    expect(greedy.suites.generation).toEqual({ doSample: false, thinking: 'off' });
  });

  it('names each field it cannot send, keyed like the API’s field paths', () => {
    const { problems } = toCreateEvaluationInput(
      form((f) => {
        f.generation.maxNewTokens = '1.5';
        f.generation.sampled = true;
        f.generation.topP = 'abc';
        f.perplexity.maxSeqLength = '99999999999';
        f.maxExamples = 'ten';
        f.priority = '500';
      }),
    );
    expect(problems).toEqual({
      'suites.generation.maxNewTokens': { key: 'plan.validation.integer' },
      'suites.generation.topP': { key: 'plan.validation.number' },
      'suites.perplexity.maxSeqLength': { key: 'plan.validation.tooLarge' },
      maxExamples: { key: 'plan.validation.integer' },
      priority: { key: 'plan.launch.priorityRange' },
    });
  });

  it('asks for a set, a target and a suite', () => {
    const { problems } = toCreateEvaluationInput(
      form((f) => {
        f.datasetVersionId = '';
        f.targets = [];
        f.perplexity.on = false;
        f.generation.on = false;
      }),
    );
    expect(Object.keys(problems).sort()).toEqual(['datasetVersionId', 'suites', 'targets']);
  });

  it('offers multiple choice alone for a multiple-choice set, and the other suites for the rest', () => {
    expect(suitesFor('MULTIPLE_CHOICE')).toEqual(['multipleChoice']);
    expect(suitesFor('SHAREGPT')).toEqual(['perplexity', 'generation']);
    expect(suitesFor(null)).toEqual(['perplexity', 'generation']);
  });

  it('sends only the suites the set offers, with what is typed for multiple choice', () => {
    const choice = toCreateEvaluationInput(
      form((f) => (f.multipleChoice = { on: true, batchSize: '8', applyChatTemplate: true })),
      suitesFor('MULTIPLE_CHOICE'),
    );
    expect(choice).toEqual({
      input: expect.objectContaining({ suites: { multipleChoice: { batchSize: 8, applyChatTemplate: true } } }),
      problems: {},
    });
    expect(toCreateEvaluationInput(form(), suitesFor('MULTIPLE_CHOICE')).input.suites).toEqual({
      multipleChoice: { applyChatTemplate: false },
    });
    // Switched on, but not offered for a conversation set: not sent.
    expect(Object.keys(toCreateEvaluationInput(form(), suitesFor('OPENAI')).input.suites).sort()).toEqual([
      'generation',
      'perplexity',
    ]);
  });

  it('asks for a suite among those offered, and names a batch size it cannot send', () => {
    const off = toCreateEvaluationInput(
      form((f) => (f.multipleChoice.on = false)),
      suitesFor('MULTIPLE_CHOICE'),
    );
    expect(off.problems).toEqual({ suites: { key: 'evaluations.form.problems.suites' } });
    const bad = toCreateEvaluationInput(
      form((f) => (f.multipleChoice.batchSize = 'two')),
      suitesFor('MULTIPLE_CHOICE'),
    );
    expect(bad.problems).toEqual({ 'suites.multipleChoice.batchSize': { key: 'plan.validation.integer' } });
  });
});

describe('the estimate', () => {
  it('reads the test split when the set has one, else every row', () => {
    expect(setRows({ rowCount: 100, splits: { train: 80, validation: 10, test: 10 } })).toBe(10);
    expect(setRows({ rowCount: 100, splits: { train: 100, validation: 0, test: 0 } })).toBe(100);
    expect(setRows({ rowCount: 24, splits: null })).toBe(24);
    expect(setRows(null)).toBeNull();
  });

  it('is N examples × M targets, capped by max examples', () => {
    expect(estimate(24, '', 2)).toEqual({ examples: 24, targets: 2, answers: 48 });
    expect(estimate(24, '10', 3)).toEqual({ examples: 10, targets: 3, answers: 30 });
    expect(estimate(24, '100', 1)).toEqual({ examples: 24, targets: 1, answers: 24 });
    expect(estimate(24, 'x', 2)).toEqual({ examples: 24, targets: 2, answers: 48 });
    expect(estimate(null, '', 2)).toBeNull();
  });
});

describe('suggestedBases', () => {
  const versions = [
    { id: 'mv-1', baseModelId: 'llm-trainer/tiny-qwen3' },
    { id: 'mv-2', baseModelId: 'llm-trainer/tiny-qwen3' },
    { id: 'mv-3', baseModelId: 'not/in-catalogue' },
  ];
  const catalogue = ['llm-trainer/tiny-qwen3', 'Qwen/Qwen3-0.6B'];

  it('offers the base model of a chosen fine-tune, once', () => {
    expect(suggestedBases([versionRef('mv-1'), versionRef('mv-2')], versions, catalogue)).toEqual([
      'llm-trainer/tiny-qwen3',
    ]);
  });

  it('offers nothing when the base is chosen already or not in the catalogue', () => {
    expect(suggestedBases([versionRef('mv-1'), baseRef('llm-trainer/tiny-qwen3')], versions, catalogue)).toEqual([]);
    expect(suggestedBases([versionRef('mv-3')], versions, catalogue)).toEqual([]);
    expect(suggestedBases([baseRef('Qwen/Qwen3-0.6B')], versions, catalogue)).toEqual([]);
  });
});
