import { hash } from 'node:crypto';
import type { ProblemCode } from './validate.js';
import { validateRow, type Problem } from './validate.js';
import type { NormalizedRow } from './schema.js';
import { StatsBuilder } from './stats.js';

export interface ValidationReport {
  sourceRecords: number;
  validRows: number;
  invalidRows: number;
  excludedRows: number;
  /** Problem rows still in the version or unreadable: the version cannot train until this is 0. */
  unresolved: number;
  problems: { code: ProblemCode; count: number; examples: { line: number; message: string }[] }[];
}

const EXAMPLES_PER_CODE = 20;

/** Counts problems per code and keeps the first examples of each. */
export class Report {
  private problems = new Map<ProblemCode, { count: number; examples: { line: number; message: string }[] }>();
  sourceRecords = 0;
  validRows = 0;
  invalidRows = 0;
  excludedRows = 0;
  unresolved = 0;

  add(line: number, problems: Problem[]) {
    for (const p of problems) {
      const entry = this.problems.get(p.code) ?? { count: 0, examples: [] };
      entry.count++;
      if (entry.examples.length < EXAMPLES_PER_CODE) entry.examples.push({ line, message: p.message });
      this.problems.set(p.code, entry);
    }
  }

  build(): ValidationReport {
    return {
      sourceRecords: this.sourceRecords,
      validRows: this.validRows,
      invalidRows: this.invalidRows,
      excludedRows: this.excludedRows,
      unresolved: this.unresolved,
      problems: [...this.problems].map(([code, v]) => ({ code, ...v })).sort((a, b) => b.count - a.count),
    };
  }
}

/** Identity of a serialised row (its JSON line), for exact-duplicate detection. */
// One-shot `hash()` gives the same digest as createHash() without a Hash object per row.
export const lineKey = (line: string) => hash('sha256', line, 'base64').slice(0, 22);
export const rowKey = (row: unknown) => lineKey(JSON.stringify(row));

/** Validation and statistics of an existing row set (after a pipeline or edits); line = row index + 1. */
export class RowAnalyzer {
  readonly report = new Report();
  readonly stats: StatsBuilder;
  private seen = new Set<string>();

  constructor(
    private readonly maxRowChars: number,
    tokenizer?: { name: string; count: (text: string) => number },
  ) {
    this.stats = new StatsBuilder(tokenizer);
  }

  add(row: NormalizedRow) {
    const r = this.report;
    r.sourceRecords++;
    const problems = validateRow(row, this.maxRowChars);
    const key = rowKey(row);
    if (this.seen.has(key)) {
      problems.push({ code: 'DUPLICATE', message: 'exact duplicate of an earlier row' });
      this.stats.exactDuplicates++;
    } else this.seen.add(key);
    r.add(r.sourceRecords, problems);
    if (problems.length) {
      r.invalidRows++;
      r.unresolved++;
    } else r.validRows++;
    this.stats.add(row);
  }
}
