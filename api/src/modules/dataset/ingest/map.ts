import { hash } from 'node:crypto';
import { parseJsonLine, splitLines, type SourceRecord } from './parse.js';
import { normalize, RowError, type Mapping } from './schema.js';
import { rowFigures } from './stats.js';
import { validateRow, type Problem } from './validate.js';

/**
 * Ingest in two steps. `map` does the per-record work that needs nothing from earlier records
 * (parse, normalise, validate, serialise, hash, text statistics) and can run on any thread; its
 * output is a few flat fields, cheap to post between threads. `reduce` (reduce.ts) folds blocks in
 * source order into what does depend on order: duplicates, the report, the row file, the statistics.
 */
export interface MapOptions {
  mapping: Mapping;
  maxRecordChars: number;
  maxRowChars: number;
}

/** Record status in a mapped block. */
export const ROW_OK = 0;
export const ROW_WITH_PROBLEMS = 1;
export const UNREADABLE = 2;
export const ROW_ERROR = 3;

/** Numbers per record in `MappedBlock.nums`. */
export const STRIDE = 10;
// Offsets within a record's numbers.
export const F_STATUS = 0;
export const F_LINE = 1;
export const F_JSON_LENGTH = 2;
export const F_CHARS = 3;
export const F_LANGUAGE = 4;
export const F_A = 5;
export const F_B = 6;
export const F_KEPT = 7;
export const F_ROLES_LENGTH = 8;
/** -1: not a multiple-choice row; 0: one without a subject; 1: its subject is next in `subjects`. */
export const F_SUBJECT = 9;

/** Exact-duplicate keys (`lineKey`) all have this length. */
export const KEY_LENGTH = 22;

export interface MappedBlock {
  /** Source lines the block covered (JSONL text blocks; 0 for record batches, whose lines are absolute). */
  lines: number;
  records: number;
  nums: Float64Array;
  /** Serialised rows in UTF-8, back to back (byte lengths in nums). */
  json: Uint8Array;
  /** lineKey of each serialised row, back to back. */
  keys: string;
  /** Role digits of each row (lengths in nums; -1 for rows without messages). */
  roles: string;
  /** Subjects of the multiple-choice rows that have one, in order. */
  subjects: string[];
  /** Problems of the records that have any, by record index. */
  problems: [number, Problem[]][];
}

class BlockBuilder {
  private nums: Float64Array;
  private records = 0;
  // Not from Buffer's shared pool: the block's bytes are transferred to the other thread whole.
  private json = Buffer.allocUnsafeSlow(64 * 1024);
  private jsonBytes = 0;
  private keys: string[] = [];
  private roles: string[] = [];
  private subjects: string[] = [];
  private problems: [number, Problem[]][] = [];

  constructor(capacity: number) {
    this.nums = new Float64Array(Math.max(16, capacity) * STRIDE);
  }

  private next(status: number, line: number): number {
    if ((this.records + 1) * STRIDE > this.nums.length) {
      const grown = new Float64Array(this.nums.length * 2);
      grown.set(this.nums);
      this.nums = grown;
    }
    const at = this.records++ * STRIDE;
    this.nums[at + F_STATUS] = status;
    this.nums[at + F_LINE] = line;
    return at;
  }

  add(record: SourceRecord, opts: MapOptions) {
    if (!record.value) {
      this.problems.push([this.records, [{ code: 'PARSE_ERROR', message: record.error ?? 'unreadable record' }]]);
      this.next(UNREADABLE, record.line);
      return;
    }
    let row;
    let problems: Problem[];
    try {
      row = normalize(record.value, opts.mapping);
      problems = validateRow(row, opts.maxRowChars);
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      this.problems.push([this.records, [e.problem]]);
      this.next(ROW_ERROR, record.line);
      return;
    }
    const line = JSON.stringify(row);
    // Encoded once, here: the bytes are both hashed and written (same key as lineKey(line)).
    if (this.jsonBytes + line.length * 3 > this.json.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.json.length * 2, this.jsonBytes + line.length * 3));
      this.json.copy(grown, 0, 0, this.jsonBytes);
      this.json = grown;
    }
    const start = this.jsonBytes;
    this.jsonBytes += this.json.write(line, start, 'utf8');
    const key = hash('sha256', this.json.subarray(start, this.jsonBytes), 'base64').slice(0, KEY_LENGTH);
    const figures = rowFigures(row);
    if (problems.length) this.problems.push([this.records, problems]);
    const at = this.next(problems.length ? ROW_WITH_PROBLEMS : ROW_OK, record.line);
    const nums = this.nums;
    nums[at + F_JSON_LENGTH] = this.jsonBytes - start;
    nums[at + F_CHARS] = figures.chars;
    nums[at + F_LANGUAGE] = figures.language;
    nums[at + F_A] = figures.a;
    nums[at + F_B] = figures.b;
    nums[at + F_KEPT] = figures.kept;
    nums[at + F_ROLES_LENGTH] = figures.roles === null ? -1 : figures.roles.length;
    nums[at + F_SUBJECT] = figures.subject === undefined ? -1 : figures.subject === null ? 0 : 1;
    this.keys.push(key);
    if (figures.roles) this.roles.push(figures.roles);
    if (figures.subject) this.subjects.push(figures.subject);
  }

  build(lines: number): MappedBlock {
    return {
      lines,
      records: this.records,
      nums: this.nums.subarray(0, this.records * STRIDE),
      json: this.json.subarray(0, this.jsonBytes),
      keys: this.keys.join(''),
      roles: this.roles.join(''),
      subjects: this.subjects,
      problems: this.problems,
    };
  }
}

/** Maps records that carry their own (absolute) line numbers: any format. */
export function mapRecords(records: SourceRecord[], opts: MapOptions): MappedBlock {
  const builder = new BlockBuilder(records.length);
  for (const record of records) builder.add(record, opts);
  return builder.build(0);
}

/**
 * Maps a block of JSONL text made of whole lines (only the file's last block may end without a line
 * break); line numbers are relative to the block (1 = its first line).
 */
export function mapJsonLines(text: string, opts: MapOptions): MappedBlock {
  const raws = splitLines(text);
  // Text ending in a line break leaves an empty last piece, which is not a line.
  if (raws.length && raws[raws.length - 1] === '') raws.pop();
  const builder = new BlockBuilder(raws.length);
  for (let i = 0; i < raws.length; i++) {
    const record = parseJsonLine(raws[i], i + 1, opts.maxRecordChars);
    if (record) builder.add(record, opts);
  }
  return builder.build(raws.length);
}
