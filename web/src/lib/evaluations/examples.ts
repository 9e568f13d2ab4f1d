import type { EvaluationExampleFieldsFragment } from '$lib/graphql/generated/graphql';
import { formatMetric } from './metrics';

export type ExampleRow = EvaluationExampleFieldsFragment;

/** One example of the set, with every target's rows for it (one per suite) side by side. */
export interface ExampleGroup {
  index: number;
  subject: string | null;
  prompt: string;
  reference: string;
  /** The suites any target has a row in, in the order first seen. */
  suites: string[];
  /** Target key → its rows (one per suite); a target is missing when a filter left its rows out. */
  answers: Record<string, ExampleRow[]>;
}

/**
 * Rows (the API sends them by example index, then target) → one group per example index, in the
 * order first seen. Pages are concatenated before grouping, so an example whose rows a page
 * boundary split comes together again once the next page is loaded. A row sent twice (the same
 * target and suite) is kept once.
 */
export function groupExamples(rows: readonly ExampleRow[]): ExampleGroup[] {
  const groups = new Map<number, ExampleGroup>();
  for (const row of rows) {
    let group = groups.get(row.index);
    if (!group) {
      group = {
        index: row.index,
        subject: row.subject ?? null,
        prompt: row.prompt,
        reference: row.reference,
        suites: [],
        answers: {},
      };
      groups.set(row.index, group);
    }
    if (!group.suites.includes(row.suite)) group.suites.push(row.suite);
    const mine = (group.answers[row.target] ??= []);
    if (!mine.some((r) => r.suite === row.suite)) mine.push(row);
  }
  return [...groups.values()];
}

/** What one target's rows for an example show: its answer (generation), flags, and every score. */
export function answerOf(rows: readonly ExampleRow[]) {
  const generated = rows.find((r) => r.output !== null && r.output !== undefined) ?? null;
  return {
    output: generated?.output ?? null,
    thinking: rows.find((r) => r.thinking)?.thinking ?? null,
    flags: [...new Set(rows.flatMap((r) => r.flags))],
    scores: Object.assign({}, ...rows.map((r) => r.scores)) as Record<string, unknown>,
    verdict: generated ? correctness(generated) : null,
  };
}

/** Per-example scores worth showing, in reading order (`nll` and `tokens` are the loss's parts). */
const SCORE_ORDER = ['exact_match', 'rouge_l', 'bleu', 'chrf', 'accuracy', 'loss', 'perplexity'];

/** A row's scores as [name, text] pairs: exact match as ✓/✗, the rest on their metric's scale. */
export function formatScores(scores: Record<string, unknown>, locale: string): [string, string][] {
  return SCORE_ORDER.filter((name) => typeof scores[name] === 'number').map((name) => {
    const value = scores[name] as number;
    if (name === 'exact_match' || name === 'accuracy') return [name, value >= 1 ? '✓' : '✗'];
    return [name, formatMetric(name, value, locale)];
  });
}

/** Whether a row's answer is wrong (exact match 0), right (1), or not judged (perplexity). */
export function correctness(row: Pick<ExampleRow, 'scores'>): 'right' | 'wrong' | null {
  const em = row.scores.exact_match ?? row.scores.accuracy;
  if (typeof em !== 'number') return null;
  return em >= 1 ? 'right' : 'wrong';
}
