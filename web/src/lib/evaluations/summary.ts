// The evaluator's summary (workers/trainer/README.md, "Evaluation events": summary) read defensively:
// it arrives as JSON, and a metric without a defined value is simply absent.

/** A metric with its 95% bootstrap interval; `low`/`high` are absent when no interval was computed. */
export interface MetricValue {
  value: number;
  low: number | null;
  high: number | null;
  n: number | null;
}

/** A part of a suite's examples with its own metrics (multiple choice: a subject). */
export interface SubsetResult {
  n: number | null;
  metrics: Record<string, MetricValue>;
}

export interface SuiteResult {
  n: number | null;
  metrics: Record<string, MetricValue>;
  /** Multiple choice: subject → its accuracy; empty for other suites and sets without subjects. */
  subjects: Record<string, SubsetResult>;
  /** Rows per flag, e.g. {max_new_tokens_reached: 3}. */
  flags: Record<string, number>;
  tokens: number | null;
}

export interface EvaluationSummary {
  examples: number | null;
  bleuTokenize: string | null;
  /** target key → suite → result */
  targets: Record<string, Record<string, SuiteResult>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function readMetric(raw: unknown): MetricValue | null {
  if (!isObject(raw)) return null;
  const value = num(raw.value);
  if (value === null) return null;
  return { value, low: num(raw.low), high: num(raw.high), n: num(raw.n) };
}

function readMetrics(raw: unknown): Record<string, MetricValue> {
  const metrics: Record<string, MetricValue> = {};
  for (const [name, m] of Object.entries(isObject(raw) ? raw : {})) {
    const metric = readMetric(m);
    if (metric) metrics[name] = metric;
  }
  return metrics;
}

function readSuite(raw: unknown): SuiteResult | null {
  if (!isObject(raw)) return null;
  const metrics = readMetrics(raw.metrics);
  const subjects: Record<string, SubsetResult> = {};
  for (const [name, subset] of Object.entries(isObject(raw.subjects) ? raw.subjects : {}))
    if (isObject(subset)) subjects[name] = { n: num(subset.n), metrics: readMetrics(subset.metrics) };
  const flags: Record<string, number> = {};
  for (const [flag, count] of Object.entries(isObject(raw.flags) ? raw.flags : {})) {
    const n = num(count);
    if (n) flags[flag] = n;
  }
  return { n: num(raw.n), metrics, subjects, flags, tokens: num(raw.tokens) };
}

/** The summary as stored, or null when there is none (yet). */
export function readSummary(raw: Record<string, unknown> | null | undefined): EvaluationSummary | null {
  if (!raw || !isObject(raw.targets)) return null;
  const targets: EvaluationSummary['targets'] = {};
  for (const [key, suites] of Object.entries(raw.targets)) {
    if (!isObject(suites)) continue;
    targets[key] = {};
    for (const [suite, result] of Object.entries(suites)) {
      const read = readSuite(result);
      if (read) targets[key][suite] = read;
    }
  }
  return {
    examples: num(raw.examples),
    bleuTokenize: typeof raw.bleu_tokenize === 'string' ? raw.bleu_tokenize : null,
    targets,
  };
}
