import { describe, expect, it } from 'vitest';
import { answerOf, correctness, formatScores, groupExamples, type ExampleRow } from './examples';

const row = (index: number, target: string, suite: string, extra: Partial<ExampleRow> = {}): ExampleRow => ({
  id: `${index}-${target}-${suite}`,
  index,
  target,
  suite,
  subject: null,
  prompt: `问题 ${index}`,
  reference: `答案 ${index}`,
  output: suite === 'generation' ? `output of ${target}` : null,
  thinking: null,
  flags: [],
  scores: {},
  ...extra,
});

describe('groupExamples', () => {
  it('puts every target’s rows for the same example side by side, in the order sent', () => {
    const groups = groupExamples([
      row(0, 'base', 'perplexity'),
      row(0, 'base', 'generation'),
      row(0, 'v1', 'perplexity'),
      row(0, 'v1', 'generation'),
      row(1, 'base', 'generation'),
      row(1, 'v1', 'generation'),
    ]);
    expect(groups.map((g) => [g.index, g.suites, Object.keys(g.answers)])).toEqual([
      [0, ['perplexity', 'generation'], ['base', 'v1']],
      [1, ['generation'], ['base', 'v1']],
    ]);
    expect(groups[1]!).toMatchObject({ index: 1, prompt: '问题 1', reference: '答案 1' });
    expect(groups[0]!.answers.v1!.map((r) => r.suite)).toEqual(['perplexity', 'generation']);
  });

  it('joins an example split by a page boundary once the next page is appended', () => {
    const first = [row(4, 'base', 'generation')];
    const second = [row(4, 'v1', 'generation'), row(5, 'base', 'generation')];
    expect(groupExamples(first)).toHaveLength(1);
    const groups = groupExamples([...first, ...second]);
    expect(groups.map((g) => [g.index, Object.keys(g.answers)])).toEqual([
      [4, ['base', 'v1']],
      [5, ['base']],
    ]);
  });

  it('keeps the first row when one is sent twice (a refreshed page)', () => {
    const groups = groupExamples([
      row(0, 'base', 'generation', { output: 'first' }),
      row(0, 'base', 'generation', { output: 'again' }),
    ]);
    expect(groups[0]!.answers.base!.map((r) => r.output)).toEqual(['first']);
  });
});

describe('answerOf', () => {
  it('shows a target’s generated answer with the flags and scores of all its suites', () => {
    const answer = answerOf([
      row(0, 'base', 'perplexity', { scores: { loss: 2.5, perplexity: 12.2 }, flags: ['sequence_truncated'] }),
      row(0, 'base', 'generation', {
        output: '',
        thinking: '让我想想',
        scores: { exact_match: 0, rouge_l: 0 },
        flags: ['unterminated_think'],
      }),
    ]);
    expect(answer).toEqual({
      output: '',
      thinking: '让我想想',
      flags: ['sequence_truncated', 'unterminated_think'],
      scores: { loss: 2.5, perplexity: 12.2, exact_match: 0, rouge_l: 0 },
      verdict: 'wrong',
    });
  });

  it('has no answer and no verdict for perplexity alone', () => {
    expect(answerOf([row(0, 'base', 'perplexity', { scores: { loss: 1 } })])).toMatchObject({
      output: null,
      verdict: null,
    });
  });
});

describe('per-example scores', () => {
  it('show exact match as ✓/✗ and the rest on their metric’s scale, leaving out the loss’s parts', () => {
    expect(formatScores({ exact_match: 1, rouge_l: 0.5, bleu: 31.234, chrf: 40, nll: 12.3, tokens: 9 }, 'en')).toEqual([
      ['exact_match', '✓'],
      ['rouge_l', '50%'],
      ['bleu', '31.2'],
      ['chrf', '40'],
    ]);
    expect(formatScores({ loss: 2.5, perplexity: 12.182, nll: 25, tokens: 10 }, 'en')).toEqual([
      ['loss', '2.5'],
      ['perplexity', '12.18'],
    ]);
  });

  it('say right or wrong for generation, nothing for perplexity', () => {
    expect(correctness({ scores: { exact_match: 0 } })).toBe('wrong');
    expect(correctness({ scores: { exact_match: 1 } })).toBe('right');
    expect(correctness({ scores: { loss: 1 } })).toBeNull();
  });
});
