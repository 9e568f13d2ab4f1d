import type { Message, NormalizedRow, Role } from './schema.js';

/** Log-scale histogram edges shared by character and token lengths: 0, 8, 16, … 2^22. */
const LENGTH_EDGES = [0, ...Array.from({ length: 20 }, (_, i) => 2 ** (i + 3))];
/** Turns per conversation are small counts: a bar per count up to 16, then doubling. */
export const TURN_EDGES = [...Array.from({ length: 17 }, (_, i) => i), 32, 64, 128, 256, 512, 1024];

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

/**
 * Index of the last edge at or below `value` (0 below the second edge). On the length edges a whole
 * value's bucket is its bit length, found at once.
 */
function bucketOf(value: number, edges: readonly number[]): number {
  if (value < edges[1]) return 0;
  if (value >= edges[edges.length - 1]) return edges.length - 1;
  if (edges === LENGTH_EDGES && Number.isInteger(value)) return 29 - Math.clz32(value);
  let bucket = edges.length - 1;
  while (bucket > 0 && value < edges[bucket]) bucket--;
  return bucket;
}

class DistributionBuilder {
  private readonly edges: readonly number[];
  private readonly counts: number[];
  private n = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  // A deterministic reservoir (fixed-seed LCG) keeps percentiles cheap on millions of rows.
  private sample: number[] = [];
  private seed = 12345;

  constructor(edges: readonly number[] = LENGTH_EDGES) {
    this.edges = edges;
    this.counts = new Array<number>(edges.length).fill(0);
  }

  add(value: number) {
    this.n++;
    this.sum += value;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    this.counts[bucketOf(value, this.edges)]++;
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
      edges: this.edges.slice(0, Math.max(1, last + 1)),
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
  /** Multiple-choice rows per subject (at most MAX_SUBJECTS named); null for other kinds. */
  subjects: Record<string, number> | null;
}

/** Subjects named in the statistics: C-Eval has 52, CMMLU 67; past this a set is not organised by subject. */
export const MAX_SUBJECTS = 500;

export function rowText(row: NormalizedRow): string {
  if ('text' in row) return row.text;
  if ('choices' in row) return [row.question, ...row.choices].join('\n');
  const messages = 'messages' in row ? row.messages : [...row.prompt, ...row.chosen, ...row.rejected];
  return messages.map((m) => `${m.reasoning_content ?? ''}${m.content}`).join('\n');
}

function languageOf(cjk: number, latin: number): 'zh' | 'en' | 'other' {
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

// Per UTF-16 code unit: what the scan below does with it, looked up once instead of range tests.
const SKIP = 1;
const CJK = 2;
const LATIN = 4;
const UPPER = 8;
const CLASSES = new Uint8Array(0x10000);
for (let c = 0; c < 0x10000; c++) {
  if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) CLASSES[c] |= CJK;
  else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) CLASSES[c] |= LATIN;
  if (skipped(c)) CLASSES[c] |= SKIP;
  if (c >= 0x41 && c <= 0x5a) CLASSES[c] |= UPPER;
}

/** Running state of the near-duplicate hash and the script counts over a row's text, piece by piece. */
class TextScan {
  a = 0x811c9dc5;
  b = 0x01000193;
  kept = 0;
  cjk = 0;
  latin = 0;

  reset() {
    this.a = 0x811c9dc5;
    this.b = 0x01000193;
    this.kept = this.cjk = this.latin = 0;
  }

  /** Pieces fed in turn give the same result as their concatenation (the `\n` joins are skipped anyway). */
  feed(text: string) {
    let { a, b, kept, cjk, latin } = this;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      const cls = CLASSES[c];
      if (cls & CJK) cjk++;
      else if (cls & LATIN) latin++;
      if (cls & SKIP) continue;
      kept++;
      if (cls & UPPER) c += 32;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
    }
    this.a = a;
    this.b = b;
    this.kept = kept;
    this.cjk = cjk;
    this.latin = latin;
  }

  key(): string {
    return `${(this.a >>> 0).toString(36)}:${(this.b >>> 0).toString(36)}:${this.kept.toString(36)}`;
  }

  language(): 'zh' | 'en' | 'other' {
    return languageOf(this.cjk, this.latin);
  }
}

/**
 * The set of near-duplicate keys seen, as (a, b, kept) triples in one open-addressing table: the same
 * equality as the `nearKey()` strings, without a string and a Set entry per row.
 */
class NearKeySet {
  private slots = new Int32Array(3 * 1024);
  private size = 0;

  /** Adds the scan's key; false when it was there already. */
  add(a: number, b: number, kept: number): boolean {
    const k = kept + 1; // 0 marks an empty slot
    let mask = this.slots.length / 3 - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(k, 0x85ebca6b)) & mask;
    for (;;) {
      const at = 3 * i;
      const stored = this.slots[at + 2];
      if (stored === 0) break;
      if (stored === k && this.slots[at] === a && this.slots[at + 1] === b) return false;
      i = (i + 1) & mask;
    }
    if (2 * (this.size + 1) > mask + 1) {
      this.grow();
      mask = this.slots.length / 3 - 1;
      i = (a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(k, 0x85ebca6b)) & mask;
      while (this.slots[3 * i + 2] !== 0) i = (i + 1) & mask;
    }
    this.slots[3 * i] = a;
    this.slots[3 * i + 1] = b;
    this.slots[3 * i + 2] = k;
    this.size++;
    return true;
  }

  private grow() {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = this.slots.length / 3 - 1;
    for (let at = 0; at < old.length; at += 3) {
      const k = old[at + 2];
      if (k === 0) continue;
      const a = old[at];
      const b = old[at + 1];
      let i = (a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(k, 0x85ebca6b)) & mask;
      while (this.slots[3 * i + 2] !== 0) i = (i + 1) & mask;
      this.slots[3 * i] = a;
      this.slots[3 * i + 1] = b;
      this.slots[3 * i + 2] = k;
    }
  }
}

export function nearKey(text: string): string {
  const scan = new TextScan();
  scan.feed(text);
  return scan.key();
}

const LANGUAGES = ['zh', 'en', 'other'] as const;
const ROLE_NAMES: Role[] = ['system', 'user', 'assistant', 'tool'];
const ROLE_CODES: Record<string, string | undefined> = { system: '0', user: '1', assistant: '2', tool: '3' };

/**
 * What the statistics need of one row, small enough to be computed on another thread: characters,
 * roles in order (one digit each, null for rows without messages), language and near-duplicate key.
 */
export interface RowFigures {
  chars: number;
  roles: string | null;
  /** Multiple-choice rows: the subject, or null without one; undefined for other kinds. */
  subject?: string | null;
  language: number;
  a: number;
  b: number;
  kept: number;
}

const scan = new TextScan();

function feedMessages(messages: Message[]): number {
  let chars = 0;
  for (const m of messages) {
    if (m.reasoning_content !== undefined && m.reasoning_content !== null) {
      scan.feed(m.reasoning_content);
      chars += m.reasoning_content.length;
    }
    scan.feed(m.content);
    chars += m.content.length;
  }
  return chars;
}

/**
 * Characters, language and near-duplicate key in one pass over the pieces of text, without joining
 * them into rowText (same figures: the joins are newlines, which none of them count).
 */
export function rowFigures(row: NormalizedRow): RowFigures {
  scan.reset();
  let chars: number;
  let roles: string | null = null;
  let subject: string | null | undefined;
  if ('text' in row) {
    scan.feed(row.text);
    chars = row.text.length;
  } else if ('choices' in row) {
    scan.feed(row.question);
    chars = row.question.length;
    for (const c of row.choices) {
      scan.feed(c);
      chars += c.length;
    }
    subject = row.subject ?? null;
  } else if ('messages' in row) {
    chars = feedMessages(row.messages);
    roles = '';
    for (const m of row.messages) roles += ROLE_CODES[m.role] ?? `r${m.role}\0`;
  } else {
    chars = feedMessages(row.prompt) + feedMessages(row.chosen) + feedMessages(row.rejected);
  }
  const language = scan.language();
  return {
    chars,
    roles,
    subject,
    language: language === 'zh' ? 0 : language === 'en' ? 1 : 2,
    a: scan.a | 0,
    b: scan.b | 0,
    kept: scan.kept,
  };
}

/** Accumulates statistics row by row in bounded memory (hash sets aside). */
export class StatsBuilder {
  private rows = 0;
  private turns = new DistributionBuilder(TURN_EDGES);
  private chars = new DistributionBuilder();
  private tokens = new DistributionBuilder();
  private hasTurns = false;
  private roles: Record<string, number> = {};
  private languages = { zh: 0, en: 0, other: 0 };
  private nearSeen = new NearKeySet();
  private nearDuplicates = 0;
  private subjects: Map<string, number> | null = null;
  exactDuplicates = 0;

  private tokenized = 0;

  constructor(
    private readonly countTokens?: { name: string; count: (text: string) => number },
    private readonly maxTokenizedRows = 10_000,
  ) {}

  add(row: NormalizedRow) {
    if (this.claimTokenSlot()) this.addTokenCount(this.countTokens!.count(rowText(row)));
    this.record(rowFigures(row));
  }

  /** Takes one of the first `maxTokenizedRows` places for token counting; false when none is left. */
  claimTokenSlot(): boolean {
    if (!this.countTokens || this.tokenized >= this.maxTokenizedRows) return false;
    this.tokenized++;
    return true;
  }

  /** Token counts of the claimed rows, in the order the rows were claimed. */
  addTokenCount(tokens: number) {
    this.tokens.add(tokens);
  }

  /** Folds in one row's figures (rows in order: the percentile sample depends on it). */
  record(f: RowFigures) {
    this.rows++;
    if (f.roles !== null) {
      this.hasTurns = true;
      let turns = 0;
      for (let i = 0; i < f.roles.length; i++) {
        let role: string = ROLE_NAMES[f.roles.charCodeAt(i) - 48];
        if (role === undefined) {
          // Any other role (not made by normalize) is spelt out, ended by a NUL.
          const end = f.roles.indexOf('\0', i);
          role = f.roles.slice(i + 1, end);
          i = end;
        }
        if (role !== 'system') turns++;
        this.roles[role] = (this.roles[role] ?? 0) + 1;
      }
      this.turns.add(turns);
    }
    if (f.subject !== undefined) {
      this.subjects ??= new Map();
      const n = f.subject === null ? undefined : this.subjects.get(f.subject);
      if (n !== undefined) this.subjects.set(f.subject!, n + 1);
      else if (f.subject !== null && this.subjects.size < MAX_SUBJECTS) this.subjects.set(f.subject, 1);
    }
    this.chars.add(f.chars);
    this.languages[LANGUAGES[f.language]]++;
    if (!this.nearSeen.add(f.a, f.b, f.kept)) this.nearDuplicates++;
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
      subjects: this.subjects && Object.fromEntries(this.subjects),
    };
  }
}
