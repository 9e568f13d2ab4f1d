import { z } from 'zod';
import { validate } from '../../../graphql/validate.js';
import type { RowStore } from '../../../storage/row-store.js';
import { RowAnalyzer, rowKey } from './analyze.js';
import { seededPermutation } from './rng.js';
import type { NormalizedRow } from './schema.js';
import { nearKey, rowText } from './stats.js';
import { mapText, normalizeText, scrubPii } from './transforms.js';
import { rowChars, validateRow } from './validate.js';

const count = z.number().int().min(0, 'must be 0 or more');
const seed = z.number().int('must be a whole number');
const none = z.null({ error: 'is not used by this op; leave it out' }).optional();
const noExtras = {
  minChars: none,
  maxChars: none,
  minTokens: none,
  maxTokens: none,
  seed: none,
  count: none,
  ratios: none,
};

/** Each op's fields; fields an op does not use must be left out, so typos in intent surface. */
const stepSchema = z.discriminatedUnion('op', [
  z.object({ ...noExtras, op: z.literal('DEDUPE_EXACT') }),
  z.object({ ...noExtras, op: z.literal('DEDUPE_NORMALIZED') }),
  z.object({ ...noExtras, op: z.literal('DROP_INVALID') }),
  z.object({ ...noExtras, op: z.literal('NORMALIZE_TEXT') }),
  z.object({ ...noExtras, op: z.literal('SCRUB_PII') }),
  z
    .object({
      ...noExtras,
      op: z.literal('FILTER_LENGTH'),
      minChars: count.nullish(),
      maxChars: count.nullish(),
      minTokens: count.nullish(),
      maxTokens: count.nullish(),
    })
    .refine(
      (s) => [s.minChars, s.maxChars, s.minTokens, s.maxTokens].some((v) => v != null),
      'give at least one of minChars, maxChars, minTokens, maxTokens',
    ),
  z.object({ ...noExtras, op: z.literal('SHUFFLE'), seed }),
  z.object({ ...noExtras, op: z.literal('SAMPLE'), count: z.number().int().min(1, 'must be at least 1') }),
  z.object({
    ...noExtras,
    op: z.literal('SPLIT'),
    seed,
    ratios: z
      .array(z.number().min(0, 'must be 0 or more').max(1, 'must be at most 1'))
      .length(3, 'give three ratios: train, validation, test')
      .refine((r) => Math.abs(r.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'must sum to 1'),
  }),
]);
export type PipelineStep = z.infer<typeof stepSchema>;

/** Validates steps, naming the bad field (`input.steps.2.ratios`). SPLIT, if any, must come last. */
export function parseSteps(steps: unknown): PipelineStep[] {
  const parsed = validate(
    z.array(stepSchema).min(1, 'give at least one step').max(50, 'at most 50 steps'),
    steps,
    'input.steps',
  );
  const split = parsed.findIndex((s) => s.op === 'SPLIT');
  if (split >= 0 && split !== parsed.length - 1) {
    validate(z.never({ error: 'SPLIT must be the last step' }), 'x', `input.steps.${split}.op`);
  }
  return parsed;
}

const STREAM_OPS = new Set([
  'DEDUPE_EXACT',
  'DEDUPE_NORMALIZED',
  'DROP_INVALID',
  'NORMALIZE_TEXT',
  'SCRUB_PII',
  'FILTER_LENGTH',
]);

export interface PipelineOptions {
  maxRowChars: number;
  tokenizer: { name: string; count: (text: string) => number };
}

export interface PipelineResult {
  hash: string;
  rows: number;
  /** Rows after each step, in order. */
  steps: { op: string; rows: number }[];
  splits: { train: number; validation: number; test: number } | null;
  analyzer: RowAnalyzer;
}

/** A row-by-row step: returns the row (possibly changed) or null to drop it. */
function streamStep(step: PipelineStep, opts: PipelineOptions): (row: NormalizedRow) => NormalizedRow | null {
  const seen = new Set<string>();
  switch (step.op) {
    case 'DEDUPE_EXACT':
    case 'DEDUPE_NORMALIZED':
      return (row) => {
        const key = step.op === 'DEDUPE_EXACT' ? rowKey(row) : nearKey(rowText(row));
        if (seen.has(key)) return null;
        seen.add(key);
        return row;
      };
    case 'DROP_INVALID':
      return (row) => {
        const key = rowKey(row);
        if (seen.has(key) || validateRow(row, opts.maxRowChars).length) return null;
        seen.add(key);
        return row;
      };
    case 'NORMALIZE_TEXT':
      return (row) => mapText(row, normalizeText);
    case 'SCRUB_PII':
      return (row) => mapText(row, scrubPii);
    case 'FILTER_LENGTH':
      return (row) => {
        const chars = rowChars(row);
        if ((step.minChars != null && chars < step.minChars) || (step.maxChars != null && chars > step.maxChars))
          return null;
        if (step.minTokens != null || step.maxTokens != null) {
          const tokens = opts.tokenizer.count(rowText(row));
          if (
            (step.minTokens != null && tokens < step.minTokens) ||
            (step.maxTokens != null && tokens > step.maxTokens)
          )
            return null;
        }
        return row;
      };
    default:
      throw new Error(`${step.op} is not a row step`);
  }
}

/**
 * Runs the steps over a row set and writes the result as a new content-addressed row set. Row
 * steps are fused into streaming passes; order steps (shuffle, sample, split) work on row indices.
 * Deterministic: the same steps on the same rows always give the same hash.
 */
export async function runPipeline(
  store: RowStore,
  sourceHash: string,
  steps: PipelineStep[],
  opts: PipelineOptions,
): Promise<PipelineResult> {
  let hash = sourceHash;
  let order: Uint32Array | null = null;
  let splits: PipelineResult['splits'] = null;
  const report: PipelineResult['steps'] = [];
  const intermediates: string[] = [];

  const materialize = async (filters: ((row: NormalizedRow) => NormalizedRow | null)[], counts: number[]) => {
    const writer = await store.writer();
    const source = order
      ? store.readOrdered(hash, order)
      : (async function* () {
          for await (const { line } of store.scan(hash)) yield line;
        })();
    for await (const line of source) {
      let row: NormalizedRow | null = JSON.parse(line);
      for (let i = 0; i < filters.length && row; i++) {
        row = filters[i](row);
        if (row) counts[i]++;
      }
      if (row) await writer.push(row);
    }
    const result = await writer.commit();
    if (result.created) intermediates.push(result.hash);
    hash = result.hash;
    order = null;
  };

  for (let i = 0; i < steps.length;) {
    if (STREAM_OPS.has(steps[i].op)) {
      const group: PipelineStep[] = [];
      while (i < steps.length && STREAM_OPS.has(steps[i].op)) group.push(steps[i++]);
      const counts = group.map(() => 0);
      await materialize(
        group.map((s) => streamStep(s, opts)),
        counts,
      );
      group.forEach((s, k) => report.push({ op: s.op, rows: counts[k] }));
      continue;
    }
    const step = steps[i++];
    const n = order ? (order as Uint32Array).length : await store.count(hash);
    const current: Uint32Array = order ?? Uint32Array.from({ length: n }, (_, k) => k);
    if (step.op === 'SHUFFLE' || step.op === 'SPLIT') {
      const permutation = seededPermutation(n, step.seed);
      order = permutation.map((k) => current[k]);
    } else if (step.op === 'SAMPLE') {
      order = current.slice(0, Math.min(step.count, n));
    }
    if (step.op === 'SPLIT') {
      const train = Math.floor(n * step.ratios[0]);
      const validation = Math.floor(n * step.ratios[1]);
      splits = { train, validation, test: n - train - validation };
    }
    report.push({ op: step.op, rows: order ? (order as Uint32Array).length : n });
  }
  if (order || hash === sourceHash) await materialize([], []);

  // Validation and statistics of the result.
  const analyzer = new RowAnalyzer(opts.maxRowChars, opts.tokenizer);
  let rows = 0;
  for await (const { line } of store.scan(hash)) {
    analyzer.add(JSON.parse(line));
    rows++;
  }
  // Intermediate row sets this run created (never ones that existed before: they may be versions).
  for (const h of intermediates) if (h !== hash) await store.delete(h);
  return { hash, rows, steps: report, splits, analyzer };
}
