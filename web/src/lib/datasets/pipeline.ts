import type { Message } from '$lib/forms.svelte';
import type { PipelineOp, PipelineStepInput } from '$lib/graphql/generated/graphql';

export type NumberField = 'minChars' | 'maxChars' | 'minTokens' | 'maxTokens' | 'seed' | 'count';
export type StepField = NumberField | 'ratios';
const LENGTH_FIELDS: NumberField[] = ['minChars', 'maxChars', 'minTokens', 'maxTokens'];

/** Each op and the fields it takes; the API refuses any other field on that step. */
export const PIPELINE_OPS: Record<PipelineOp, StepField[]> = {
  DEDUPE_EXACT: [],
  DEDUPE_NORMALIZED: [],
  DROP_INVALID: [],
  NORMALIZE_TEXT: [],
  SCRUB_PII: [],
  FILTER_LENGTH: LENGTH_FIELDS,
  SHUFFLE: ['seed'],
  SAMPLE: ['count'],
  SPLIT: ['seed', 'ratios'],
};
export const OP_NAMES = Object.keys(PIPELINE_OPS) as PipelineOp[];

/** One step as the form holds it: text inputs, parsed when the pipeline runs. */
export interface StepDraft {
  key: number;
  op: PipelineOp;
  values: Record<NumberField, string>;
  ratios: [string, string, string];
}

let nextKey = 1;

export function newStep(op: PipelineOp): StepDraft {
  return {
    key: nextKey++,
    op,
    values: { minChars: '', maxChars: '', minTokens: '', maxTokens: '', seed: '42', count: '1000' },
    ratios: ['0.8', '0.1', '0.1'],
  };
}

/** Moves the step at `from` by `by` places; out-of-range moves leave the list as it is. */
export function moveStep<T>(steps: T[], from: number, by: number): T[] {
  const to = from + by;
  if (from < 0 || from >= steps.length || to < 0 || to >= steps.length) return steps;
  const next = [...steps];
  next.splice(to, 0, ...next.splice(from, 1));
  return next;
}

const WHOLE = /^-?\d+$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)$/;

/**
 * Form problems, keyed like the API's field paths (`steps.1.ratios`) so the same place shows
 * them whichever side found them. Empty when the steps can be sent.
 */
export function checkSteps(steps: StepDraft[]): Record<string, Message> {
  const problems: Record<string, Message> = {};
  if (steps.length === 0) problems.steps = { key: 'pipeline.errors.noSteps' };
  steps.forEach((step, i) => {
    const at = (field: string) => `steps.${i}.${field}`;
    for (const field of PIPELINE_OPS[step.op]) {
      if (field === 'ratios') continue;
      const raw = step.values[field].trim();
      const optional = step.op === 'FILTER_LENGTH';
      if (!raw && optional) continue;
      if (!WHOLE.test(raw)) problems[at(field)] = { key: 'pipeline.errors.wholeNumber' };
      else if (field !== 'seed' && Number(raw) < (field === 'count' ? 1 : 0))
        problems[at(field)] = { key: field === 'count' ? 'pipeline.errors.atLeastOne' : 'pipeline.errors.notNegative' };
    }
    if (step.op === 'FILTER_LENGTH' && LENGTH_FIELDS.every((f) => !step.values[f].trim()))
      problems[at('op')] = { key: 'pipeline.errors.filterBound' };
    if (step.op === 'SPLIT') {
      const ratios = step.ratios.map((r) => r.trim());
      if (!ratios.every((r) => NUMBER.test(r))) problems[at('ratios')] = { key: 'pipeline.errors.ratioNumbers' };
      else if (Math.abs(ratios.reduce((sum, r) => sum + Number(r), 0) - 1) > 1e-9)
        problems[at('ratios')] = { key: 'pipeline.errors.ratioSum' };
      if (i !== steps.length - 1) problems[at('op')] = { key: 'pipeline.errors.splitLast' };
    }
  });
  return problems;
}

/** The API input for a checked step: only the fields its op uses, everything else left out. */
export function toStepInput(step: StepDraft): PipelineStepInput {
  const input: PipelineStepInput = { op: step.op };
  for (const field of PIPELINE_OPS[step.op]) {
    if (field === 'ratios') {
      input.ratios = step.ratios.map(Number);
      continue;
    }
    const raw = step.values[field].trim();
    if (raw) input[field] = Number(raw);
  }
  return input;
}

/** Which step a server field path belongs to (`steps.2.seed` → 2), or null. */
export function stepIndexOf(path: string): number | null {
  const match = /^steps\.(\d+)(\.|$)/.exec(path);
  return match ? Number(match[1]) : null;
}
