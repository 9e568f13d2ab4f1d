import type { RowWriter } from '../../../storage/row-store.js';
import type { Report } from './analyze.js';
import {
  F_A,
  F_B,
  F_CHARS,
  F_JSON_LENGTH,
  F_KEPT,
  F_LANGUAGE,
  F_LINE,
  F_ROLES_LENGTH,
  F_STATUS,
  F_SUBJECT,
  KEY_LENGTH,
  ROW_OK,
  ROW_WITH_PROBLEMS,
  STRIDE,
  UNREADABLE,
  type MappedBlock,
} from './map.js';
import { rowText, type RowFigures, type StatsBuilder } from './stats.js';
import type { Problem } from './validate.js';

const NO_PROBLEMS: Problem[] = [];

/**
 * Folds mapped blocks, in source order, into the report, the duplicate set, the row file and the
 * statistics: every record is written, excluded (counted) or reported with its line number.
 */
export class Reducer {
  private readonly seen = new Set<string>();
  /** Lines of the JSONL blocks folded so far (their line numbers are relative). */
  private lineBase = 0;
  /** Texts of rows whose tokens are still to be counted, in row order. */
  private readonly toTokenize: string[] = [];
  private tokenized = 0;
  private readonly figures: RowFigures = { chars: 0, roles: null, language: 0, a: 0, b: 0, kept: 0 };

  constructor(
    private readonly report: Report,
    private readonly stats: StatsBuilder,
    private readonly writer: RowWriter,
    private readonly opts: {
      excludeInvalid: boolean;
      tokenizer?: { count: (text: string) => number };
      onProgress?: (rows: number) => void;
    },
  ) {}

  reduce(block: MappedBlock) {
    const { report, stats, opts, figures } = this;
    const nums = block.nums;
    // A Uint8Array once posted between threads: see it as a Buffer again (no copy).
    const bytes = Buffer.from(block.json.buffer, block.json.byteOffset, block.json.byteLength);
    let problemAt = 0;
    let jsonAt = 0;
    let keyAt = 0;
    let rolesAt = 0;
    let subjectAt = 0;
    for (let r = 0; r < block.records; r++) {
      const at = r * STRIDE;
      const status = nums[at + F_STATUS];
      const line = this.lineBase + nums[at + F_LINE];
      let problems = NO_PROBLEMS;
      if (status !== ROW_OK) {
        // Problems are listed by record index, in order.
        problems = block.problems[problemAt++][1];
      }
      report.sourceRecords++;
      if (report.sourceRecords % 10_000 === 0) opts.onProgress?.(report.sourceRecords);
      if (status === UNREADABLE) {
        report.invalidRows++;
        report.unresolved += opts.excludeInvalid ? 0 : 1;
        report.excludedRows += opts.excludeInvalid ? 1 : 0;
        report.add(line, problems);
        continue;
      }
      if (status !== ROW_OK && status !== ROW_WITH_PROBLEMS) {
        // A record that could not be normalised: no row.
        report.add(line, problems);
        report.invalidRows++;
        if (opts.excludeInvalid) report.excludedRows++;
        else report.unresolved++;
        continue;
      }
      const jsonStart = jsonAt;
      jsonAt += nums[at + F_JSON_LENGTH];
      const key = block.keys.slice(keyAt, (keyAt += KEY_LENGTH));
      const rolesLength = nums[at + F_ROLES_LENGTH];
      const roles = rolesLength < 0 ? null : block.roles.slice(rolesAt, (rolesAt += rolesLength));
      const subjectKind = nums[at + F_SUBJECT];
      const subject = subjectKind < 0 ? undefined : subjectKind === 0 ? null : block.subjects[subjectAt++];
      if (this.seen.has(key)) {
        problems = [...problems, { code: 'DUPLICATE', message: 'exact duplicate of an earlier row' }];
        stats.exactDuplicates++;
      } else this.seen.add(key);
      if (problems.length) {
        report.add(line, problems);
        report.invalidRows++;
      } else report.validRows++;
      if (problems.length && opts.excludeInvalid) {
        report.excludedRows++;
        continue;
      }
      if (problems.length) report.unresolved++;
      this.writer.appendBytes(bytes, jsonStart, jsonAt);
      if (opts.tokenizer && stats.claimTokenSlot())
        this.toTokenize.push(rowText(JSON.parse(bytes.toString('utf8', jsonStart, jsonAt))));
      figures.chars = nums[at + F_CHARS];
      figures.roles = roles;
      figures.subject = subject;
      figures.language = nums[at + F_LANGUAGE];
      figures.a = nums[at + F_A];
      figures.b = nums[at + F_B];
      figures.kept = nums[at + F_KEPT];
      stats.record(figures);
    }
    this.lineBase += block.lines;
  }

  /** Rows still waiting for their token count. */
  get pendingTokens() {
    return this.toTokenize.length - this.tokenized;
  }

  /** Counts tokens of up to `limit` waiting rows (the tokenizer is slow: callers do it in slices). */
  countTokens(limit = Infinity) {
    const end = Math.min(this.toTokenize.length, this.tokenized + limit);
    for (; this.tokenized < end; this.tokenized++) {
      this.stats.addTokenCount(this.opts.tokenizer!.count(this.toTokenize[this.tokenized]));
      this.toTokenize[this.tokenized] = '';
    }
  }
}
