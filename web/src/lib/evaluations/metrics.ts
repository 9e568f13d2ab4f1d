import type { EvaluationSummary, MetricValue } from './summary';

/** Suites in the order the page lists them; unknown ones (a newer evaluator) follow, by name. */
export const SUITES = ['perplexity', 'generation', 'multiple_choice'] as const;

/** Each suite's metrics in reading order; unknown ones follow, by name. */
const METRIC_ORDER: Record<string, string[]> = {
  perplexity: ['loss', 'perplexity'],
  generation: ['exact_match', 'rouge_l', 'bleu', 'chrf'],
  multiple_choice: ['accuracy'],
};

/**
 * How a metric's numbers read: `fraction` 0–1 shown as a percentage (exact match, ROUGE-L,
 * accuracy), `score` on sacrebleu's 0–100 scale (BLEU, chrF), `plain` as it is (loss, perplexity).
 */
export type MetricScale = 'fraction' | 'score' | 'plain';

const SCALES: Record<string, MetricScale> = {
  exact_match: 'fraction',
  rouge_l: 'fraction',
  accuracy: 'fraction',
  bleu: 'score',
  chrf: 'score',
};

export const metricScale = (metric: string): MetricScale => SCALES[metric] ?? 'plain';

/** Lower is better for these; higher for the rest. */
const LOWER_IS_BETTER = new Set(['loss', 'perplexity', 'nll']);
export const lowerIsBetter = (metric: string) => LOWER_IS_BETTER.has(metric);

/** One number of a metric, on its scale, in the reader's language: 0.523 → "52.3%", 31.42 → "31.4". */
export function formatMetric(metric: string, value: number, locale: string): string {
  switch (metricScale(metric)) {
    case 'fraction':
      return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(value);
    case 'score':
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value);
    case 'plain': {
      const abs = Math.abs(value);
      const digits = abs >= 1000 ? 0 : abs >= 10 ? 2 : 3;
      return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
    }
  }
}

/** The 95% interval as "low–high" on the metric's scale, or null when it has none. */
export function formatInterval(metric: string, m: Pick<MetricValue, 'low' | 'high'>, locale: string): string | null {
  if (m.low === null || m.high === null) return null;
  return `${formatMetric(metric, m.low, locale)}–${formatMetric(metric, m.high, locale)}`;
}

export interface MetricRow {
  suite: string;
  metric: string;
  /** Set on a row of one subject's value (multiple choice), after the suite's overall rows. */
  subject?: string;
  /** One per target, in the targets' order; null where that target has no value. */
  cells: (MetricValue | null)[];
}

function ordered(names: Iterable<string>, order: readonly string[]): string[] {
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * The metric table: a row per (suite, metric) any target has, a column per target; then, for a suite
 * with subjects, a row per (subject, metric), subjects by name.
 */
export function metricRows(summary: EvaluationSummary, targetKeys: readonly string[]): MetricRow[] {
  const results = targetKeys.map((key) => summary.targets[key] ?? {});
  const suites = ordered(
    results.flatMap((r) => Object.keys(r)),
    SUITES,
  );
  return suites.flatMap((suite) => {
    const metrics = ordered(
      results.flatMap((r) => Object.keys(r[suite]?.metrics ?? {})),
      METRIC_ORDER[suite] ?? [],
    );
    const overall: MetricRow[] = metrics.map((metric) => ({
      suite,
      metric,
      cells: results.map((r) => r[suite]?.metrics[metric] ?? null),
    }));
    const subjects = [...new Set(results.flatMap((r) => Object.keys(r[suite]?.subjects ?? {})))].sort((a, b) =>
      a.localeCompare(b),
    );
    const bySubject = subjects.flatMap((subject) =>
      ordered(
        results.flatMap((r) => Object.keys(r[suite]?.subjects[subject]?.metrics ?? {})),
        METRIC_ORDER[suite] ?? [],
      ).map((metric) => ({
        suite,
        metric,
        subject,
        cells: results.map((r) => r[suite]?.subjects[subject]?.metrics[metric] ?? null),
      })),
    );
    return [...overall, ...bySubject];
  });
}

/** Per target, each flag with its row count over all suites (the page shows them as chips). */
export function flagCounts(summary: EvaluationSummary, targetKey: string): [string, number][] {
  const counts = new Map<string, number>();
  for (const result of Object.values(summary.targets[targetKey] ?? {}))
    for (const [flag, n] of Object.entries(result.flags)) counts.set(flag, (counts.get(flag) ?? 0) + n);
  return [...counts].sort((a, b) => a[0].localeCompare(b[0]));
}
