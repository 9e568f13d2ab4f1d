import type { EvaluationExampleFieldsFragment } from '$lib/graphql/generated/graphql';
import { formatMetric } from './metrics';

export type ExampleRow = EvaluationExampleFieldsFragment;

/** One example of the set in one suite, with every target's answer to it side by side. */
export interface ExampleGroup {
  /** `<index>:<suite>`: unique on the page. */
  key: string;
  index: number;
  suite: string;
  subject: string | null;
  prompt: string;
  reference: string;
  /** Target key → its row; a target is missing when a filter left its row out. */
  answers: Record<string, ExampleRow>;
}

/**
 * Rows (the API sends them by example index, then target) → one group per example and suite, in
 * the order first seen. Pages are concatenated before grouping, so an example whose rows a page
 * boundary split comes together again once the next page is loaded.
 */
export function groupExamples(rows: readonly ExampleRow[]): ExampleGroup[] {
  const groups = new Map<string, ExampleGroup>();
  for (const row of rows) {
    const key = `${row.index}:${row.suite}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        key,
        index: row.index,
        suite: row.suite,
        subject: row.subject ?? null,
        prompt: row.prompt,
        reference: row.reference,
        answers: {},
      };
      groups.set(key, group);
    }
    group.answers[row.target] ??= row;
  }
  return [...groups.values()];
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
