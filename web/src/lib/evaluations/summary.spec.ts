import { describe, expect, it } from 'vitest';
import { flagCounts, formatInterval, formatMetric, metricRows, metricScale } from './metrics';
import { readSummary } from './summary';

/** A summary in the evaluator's format (workers/trainer/README.md), two targets, two suites. */
const raw = {
  examples: 40,
  bleu_tokenize: 'zh',
  bootstrap: { samples: 1000, seed: 0, confidence: 0.95 },
  targets: {
    'base-tiny-qwen3': {
      generation: {
        n: 40,
        metrics: {
          chrf: { value: 21.37, low: 18.2, high: 24.9, n: 40 },
          exact_match: { value: 0.125, low: 0.025, high: 0.225, n: 40 },
          rouge_l: { value: 0.4321, low: 0.38, high: 0.49, n: 40 },
          bleu: { value: 12.04, low: 8.5, high: 15.61, n: 40 },
        },
        flags: { max_new_tokens_reached: 3, unterminated_think: 1 },
      },
      perplexity: {
        n: 40,
        metrics: {
          perplexity: { value: 6.8213, low: 6.1, high: 7.6, n: 40 },
          loss: { value: 1.92, low: 1.81, high: 2.03, n: 40 },
        },
        flags: { sequence_truncated: 2 },
        tokens: 1811,
      },
    },
    v1: {
      perplexity: { n: 40, metrics: { loss: { value: 1.5, low: 1.4, high: 1.6, n: 40 } }, flags: {}, tokens: 1811 },
      // A metric without a defined value is left out by the evaluator; a malformed one is skipped here.
      generation: {
        n: 40,
        metrics: { exact_match: { value: 0.5, low: 0.35, high: 0.65, n: 40 }, bleu: { value: null } },
        flags: {},
      },
    },
  },
};

describe('readSummary', () => {
  it('reads targets, suites, metrics with intervals and flags; skips what has no value', () => {
    const summary = readSummary(raw)!;
    expect(summary.examples).toBe(40);
    expect(summary.bleuTokenize).toBe('zh');
    expect(summary.targets.v1!.generation!.metrics).toEqual({
      exact_match: { value: 0.5, low: 0.35, high: 0.65, n: 40 },
    });
    expect(summary.targets['base-tiny-qwen3']!.perplexity!.tokens).toBe(1811);
  });

  it('is null before there is a summary', () => {
    expect(readSummary(null)).toBeNull();
    expect(readSummary({ examples: 3 })).toBeNull();
  });
});

describe('metricRows', () => {
  it('has a row per metric of each suite in reading order and a column per target, empty where a target lacks it', () => {
    const rows = metricRows(readSummary(raw)!, ['base-tiny-qwen3', 'v1']);
    expect(rows.map((r) => `${r.suite}/${r.metric}`)).toEqual([
      'perplexity/loss',
      'perplexity/perplexity',
      'generation/exact_match',
      'generation/rouge_l',
      'generation/bleu',
      'generation/chrf',
    ]);
    const bleu = rows.find((r) => r.metric === 'bleu')!;
    expect(bleu.cells.map((c) => c?.value ?? null)).toEqual([12.04, null]);
  });

  it('follows the order of the targets given (the evaluation lists them) and shows a target with no result', () => {
    const rows = metricRows(readSummary(raw)!, ['v1', 'missing']);
    expect(rows[0]).toEqual({
      suite: 'perplexity',
      metric: 'loss',
      cells: [{ value: 1.5, low: 1.4, high: 1.6, n: 40 }, null],
    });
  });
});

describe('multiple choice', () => {
  const choice = {
    examples: 4,
    bleu_tokenize: null,
    targets: Object.fromEntries(
      (
        [
          ['base-tiny-qwen3', 0.25, 0.5, 0],
          ['v1', 0.5, 1, 0],
        ] as const
      ).map(([key, all, geography, maths]) => [
        key,
        {
          multiple_choice: {
            n: 4,
            metrics: { accuracy: { value: all, low: 0, high: 1, n: 4 } },
            flags: {},
            subjects: {
              数学: { n: 2, metrics: { accuracy: { value: maths, low: 0, high: 0, n: 2 } } },
              地理: { n: 2, metrics: { accuracy: { value: geography, low: 0, high: 1, n: 2 } } },
            },
          },
        },
      ]),
    ),
  };

  it('shows accuracy overall, then a row per subject, each with a column per target', () => {
    const rows = metricRows(readSummary(choice)!, ['base-tiny-qwen3', 'v1']);
    expect(rows.map((r) => [r.suite, r.metric, r.subject ?? null, r.cells.map((c) => c?.value ?? null)])).toEqual([
      ['multiple_choice', 'accuracy', null, [0.25, 0.5]],
      ['multiple_choice', 'accuracy', '地理', [0.5, 1]],
      ['multiple_choice', 'accuracy', '数学', [0, 0]],
    ]);
    expect(formatMetric('accuracy', 0.25, 'zh-CN')).toBe('25%');
  });

  it('has no subject rows for a set without subjects', () => {
    const { targets } = readSummary({ targets: { v1: { multiple_choice: { n: 1, metrics: {}, flags: {} } } } })!;
    expect(targets.v1!.multiple_choice!.subjects).toEqual({});
  });
});

describe('formatting metrics with their 95% interval', () => {
  it('shows fractions as percentages, BLEU and chrF on 0–100, loss as a decimal', () => {
    expect(metricScale('exact_match')).toBe('fraction');
    expect(formatMetric('exact_match', 0.125, 'en')).toBe('12.5%');
    expect(formatMetric('rouge_l', 0.4321, 'en')).toBe('43.2%');
    expect(formatMetric('bleu', 12.04, 'en')).toBe('12');
    expect(formatMetric('chrf', 21.37, 'en')).toBe('21.4');
    expect(formatMetric('loss', 1.92034, 'en')).toBe('1.92');
    expect(formatMetric('perplexity', 6.8213, 'en')).toBe('6.821');
    expect(formatMetric('perplexity', 1234.5, 'en')).toBe('1,235');
  });

  it('gives the interval as low–high on the same scale, or nothing without one', () => {
    expect(formatInterval('exact_match', { low: 0.025, high: 0.225 }, 'en')).toBe('2.5%–22.5%');
    expect(formatInterval('bleu', { low: 8.5, high: 15.61 }, 'en')).toBe('8.5–15.6');
    expect(formatInterval('loss', { low: null, high: null }, 'en')).toBeNull();
  });

  it('writes numbers the reader’s way', () => {
    expect(formatMetric('exact_match', 0.125, 'zh-CN')).toBe('12.5%');
    expect(formatMetric('perplexity', 12345.6, 'zh-CN')).toBe('12,346');
  });
});

describe('flagCounts', () => {
  it('adds a target’s flags over its suites', () => {
    expect(flagCounts(readSummary(raw)!, 'base-tiny-qwen3')).toEqual([
      ['max_new_tokens_reached', 3],
      ['sequence_truncated', 2],
      ['unterminated_think', 1],
    ]);
    expect(flagCounts(readSummary(raw)!, 'v1')).toEqual([]);
  });
});
