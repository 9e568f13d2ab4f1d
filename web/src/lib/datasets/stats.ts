/** A histogram with a summary: `counts[i]` values fall in [edges[i], edges[i+1]), the last bucket open. */
export interface Distribution {
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  edges: number[];
  counts: number[];
}

/** A version's `stats` JSON, read defensively (older versions may lack parts). */
export interface DatasetStats {
  rows: number;
  chars: Distribution | null;
  tokens: (Distribution & { tokenizer?: string; rows?: number }) | null;
  turns: Distribution | null;
  roles: Record<string, number>;
  languages: { zh: number; en: number; other: number };
  exactDuplicates: number;
  nearDuplicates: number;
  /** Multiple-choice questions per subject; null for other kinds of rows. */
  subjects: Record<string, number> | null;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const numbers = (value: unknown): number[] => (Array.isArray(value) ? value.map(num) : []);

function distribution(value: unknown): Distribution | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const edges = numbers(v.edges);
  const counts = numbers(v.counts);
  if (!edges.length || edges.length !== counts.length) return null;
  return { min: num(v.min), max: num(v.max), mean: num(v.mean), p50: num(v.p50), p95: num(v.p95), edges, counts };
}

function counts(value: unknown): Record<string, number> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, num(v)]));
}

export function readStats(value: unknown): DatasetStats | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const tokens = distribution(v.tokens);
  const t = (v.tokens ?? {}) as Record<string, unknown>;
  const languages = counts(v.languages);
  return {
    rows: num(v.rows),
    chars: distribution(v.chars),
    tokens: tokens && {
      ...tokens,
      tokenizer: typeof t.tokenizer === 'string' ? t.tokenizer : undefined,
      rows: typeof t.rows === 'number' ? t.rows : undefined,
    },
    turns: distribution(v.turns),
    roles: counts(v.roles),
    languages: { zh: languages.zh ?? 0, en: languages.en ?? 0, other: languages.other ?? 0 },
    exactDuplicates: num(v.exactDuplicates),
    nearDuplicates: num(v.nearDuplicates),
    subjects: v.subjects && typeof v.subjects === 'object' ? counts(v.subjects) : null,
  };
}

/** `[8, 16)` style bucket label; the last bucket is open (`≥ 2048`). */
export function bucketLabel(edges: number[], i: number, format: (n: number) => string = String): string {
  const low = edges[i] ?? 0;
  const high = edges[i + 1];
  return high === undefined ? `≥ ${format(low)}` : `${format(low)}–${format(high - 1)}`;
}

/** 1234 → 1.2k, 2_500_000 → 2.5M: axis labels that fit. */
export function compact(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1000) return `${+(n / 1000).toFixed(1)}k`;
  return String(n);
}
