import type { NormalizedRow } from './schema.js';
import { rowChars } from './validate.js';

/** Log-scale histogram edges shared by character and token lengths: 0, 8, 16, … 2^22. */
const EDGES = [0, ...Array.from({ length: 20 }, (_, i) => 2 ** (i + 3))];

export interface Distribution {
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  /** `counts[i]` rows have a value in [edges[i], edges[i+1]) (the last bucket is open). */
  edges: number[];
  counts: number[];
}

class DistributionBuilder {
  private n = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  private counts = new Array<number>(EDGES.length).fill(0);
  // A deterministic reservoir (fixed-seed LCG) keeps percentiles cheap on millions of rows.
  private sample: number[] = [];
  private seed = 12345;

  add(value: number) {
    this.n++;
    this.sum += value;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    let bucket = EDGES.length - 1;
    while (bucket > 0 && value < EDGES[bucket]) bucket--;
    this.counts[bucket]++;
    if (this.sample.length < 20_000) this.sample.push(value);
    else {
      this.seed = (this.seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const slot = this.seed % this.n;
      if (slot < this.sample.length) this.sample[slot] = value;
    }
  }

  build(): Distribution {
    const sorted = [...this.sample].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
    const last = this.counts.findLastIndex((c) => c > 0);
    return {
      min: this.n ? this.min : 0,
      max: this.n ? this.max : 0,
      mean: this.n ? this.sum / this.n : 0,
      p50: at(0.5),
      p95: at(0.95),
      edges: EDGES.slice(0, Math.max(1, last + 1)),
      counts: this.counts.slice(0, Math.max(1, last + 1)),
    };
  }
}

export interface DatasetStats {
  rows: number;
  turns: Distribution | null;
  chars: Distribution;
  /** Token lengths with a real tokenizer over the first `rows` rows (10,000 at most: tokenizing is the slow part). */
  tokens: (Distribution & { tokenizer: string; rows: number }) | null;
  roles: Record<string, number>;
  languages: { zh: number; en: number; other: number };
  exactDuplicates: number;
  nearDuplicates: number;
}

export function rowText(row: NormalizedRow): string {
  if ('text' in row) return row.text;
  const messages = 'messages' in row ? row.messages : [...row.prompt, ...row.chosen, ...row.rejected];
  return messages.map((m) => `${m.reasoning_content ?? ''}${m.content}`).join('\n');
}

function language(text: string): 'zh' | 'en' | 'other' {
  let cjk = 0;
  let latin = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) cjk++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latin++;
  }
  if (cjk === 0 && latin === 0) return 'other';
  // One CJK character carries about as much as a short English word.
  return cjk * 3 >= latin ? 'zh' : 'en';
}

/**
 * Near-duplicate key: two FNV-1a hashes over the text with case, whitespace and punctuation skipped.
 * A character loop instead of regex + crypto: this runs once per row on millions of rows.
 */
const skipped = (c: number) =>
  c <= 0x2f || // controls, space, ASCII punctuation
  (c >= 0x3a && c <= 0x40) ||
  (c >= 0x5b && c <= 0x60) ||
  (c >= 0x7b && c <= 0xbf) || // and Latin-1 punctuation
  (c >= 0x2000 && c <= 0x206f) || // general punctuation
  (c >= 0x3000 && c <= 0x303f) || // CJK punctuation
  (c >= 0xff00 && c <= 0xff0f) || // full-width punctuation
  (c >= 0xff1a && c <= 0xff20);

export function nearKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  let kept = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (skipped(c)) continue;
    kept++;
    if (c >= 0x41 && c <= 0x5a) c += 32;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return `${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}:${kept.toString(36)}`;
}

/** Accumulates statistics row by row in bounded memory (hash sets aside). */
export class StatsBuilder {
  private rows = 0;
  private turns = new DistributionBuilder();
  private chars = new DistributionBuilder();
  private tokens = new DistributionBuilder();
  private hasTurns = false;
  private roles: Record<string, number> = {};
  private languages = { zh: 0, en: 0, other: 0 };
  private nearSeen = new Set<string>();
  private nearDuplicates = 0;
  exactDuplicates = 0;

  private tokenized = 0;

  constructor(
    private readonly countTokens?: { name: string; count: (text: string) => number },
    private readonly maxTokenizedRows = 10_000,
  ) {}

  add(row: NormalizedRow) {
    this.rows++;
    const text = rowText(row);
    this.chars.add(rowChars(row));
    if (this.countTokens && this.tokenized < this.maxTokenizedRows) {
      this.tokenized++;
      this.tokens.add(this.countTokens.count(text));
    }
    if ('messages' in row) {
      this.hasTurns = true;
      this.turns.add(row.messages.filter((m) => m.role !== 'system').length);
      for (const m of row.messages) this.roles[m.role] = (this.roles[m.role] ?? 0) + 1;
    }
    this.languages[language(text)]++;
    const key = nearKey(text);
    if (this.nearSeen.has(key)) this.nearDuplicates++;
    else this.nearSeen.add(key);
  }

  build(): DatasetStats {
    return {
      rows: this.rows,
      turns: this.hasTurns ? this.turns.build() : null,
      chars: this.chars.build(),
      tokens: this.countTokens
        ? { ...this.tokens.build(), tokenizer: this.countTokens.name, rows: this.tokenized }
        : null,
      roles: this.roles,
      languages: this.languages,
      exactDuplicates: this.exactDuplicates,
      nearDuplicates: this.nearDuplicates,
    };
  }
}
