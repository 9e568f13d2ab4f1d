import type { Message } from '$lib/forms.svelte';
import type { CreateEvaluationInput, EvaluationTargetInput } from '$lib/graphql/generated/graphql';
import { INPUT_DEFAULTS } from '../graphql/generated/input-defaults';
import { parsePriority, parseValue } from '../runs/plan';

/** The API takes 1 to 8 targets (CreateEvaluationInput.targets). */
export const MAX_TARGETS = 8;

export type Thinking = 'on' | 'off' | 'model_default';

/** The suites as CreateEvaluationInput.suites names them. */
export type SuiteName = 'perplexity' | 'generation' | 'multipleChoice';

/**
 * The suites a set of `schemaKind` can feed, which the form offers (the API refuses the others):
 * multiple-choice questions take the multiple-choice suite only; conversations and prompt/completion
 * rows (and a set not chosen yet) take perplexity and generation.
 */
export function suitesFor(schemaKind: string | null | undefined): SuiteName[] {
  return schemaKind === 'MULTIPLE_CHOICE' ? ['multipleChoice'] : ['perplexity', 'generation'];
}
export const THINKING_MODES: Thinking[] = ['off', 'on', 'model_default'];

/**
 * A target as the form's controls hold it: `version:<modelVersionId>` or `base:<baseModelId>`
 * (one string, so a select and a list of chips can carry it).
 */
export type TargetRef = `version:${string}` | `base:${string}`;

export const versionRef = (id: string): TargetRef => `version:${id}`;
export const baseRef = (id: string): TargetRef => `base:${id}`;

export function toTargetInput(ref: TargetRef): EvaluationTargetInput {
  const colon = ref.indexOf(':');
  const id = ref.slice(colon + 1);
  return ref.startsWith('version:') ? { modelVersionId: id } : { baseModelId: id };
}

/** Number fields hold text until the form is sent; empty means the API's default (the placeholder). */
export interface EvaluationForm {
  name: string;
  datasetVersionId: string;
  targets: TargetRef[];
  perplexity: { on: boolean; maxSeqLength: string };
  generation: {
    on: boolean;
    sampled: boolean;
    maxNewTokens: string;
    temperature: string;
    topP: string;
    seed: string;
    thinking: Thinking;
  };
  multipleChoice: { on: boolean; batchSize: string; applyChatTemplate: boolean };
  maxExamples: string;
  bootstrapSamples: string;
  priority: string;
}

export function emptyEvaluationForm(): EvaluationForm {
  const generation = INPUT_DEFAULTS.GenerationSuiteInput;
  const multipleChoice = INPUT_DEFAULTS.MultipleChoiceSuiteInput;
  return {
    name: '',
    datasetVersionId: '',
    targets: [],
    perplexity: { on: true, maxSeqLength: '' },
    generation: {
      on: true,
      sampled: generation.doSample,
      maxNewTokens: '',
      temperature: '',
      topP: '',
      seed: '',
      thinking: generation.thinking as Thinking,
    },
    multipleChoice: { on: true, batchSize: '', applyChatTemplate: multipleChoice.applyChatTemplate },
    maxExamples: '',
    bootstrapSamples: '',
    priority: '',
  };
}

const isMessage = (value: unknown): value is Message => typeof value === 'object' && value !== null;

/**
 * The form as CreateEvaluationInput, and what cannot be sent, keyed like the API's field paths
 * without `input.` (`suites.generation.maxNewTokens`) so the client's and the server's messages show
 * at the same control. Ranges are the API's to check (one source for each rule); sampling settings
 * are sent only for sampled generation, where they mean something. Only the `offered` suites are
 * sent (suitesFor the chosen set): one switched on before the set was changed is not.
 */
export function toCreateEvaluationInput(
  form: EvaluationForm,
  offered: readonly SuiteName[] = suitesFor(null),
): {
  input: CreateEvaluationInput;
  problems: Record<string, Message>;
} {
  const problems: Record<string, Message> = {};
  const read = (path: string, kind: 'int' | 'float', text: string): number | undefined => {
    const value = parseValue({ kind }, text);
    if (isMessage(value)) {
      problems[path] = value;
      return undefined;
    }
    return value as number | undefined;
  };
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

  if (!form.datasetVersionId) problems.datasetVersionId = { key: 'evaluations.form.problems.set' };
  if (!form.targets.length) problems.targets = { key: 'evaluations.form.problems.targets' };
  const on = (suite: SuiteName) => offered.includes(suite) && form[suite].on;
  if (!offered.some(on)) problems.suites = { key: 'evaluations.form.problems.suites' };

  const suites: CreateEvaluationInput['suites'] = {};
  if (on('perplexity')) {
    const maxSeqLength = read('suites.perplexity.maxSeqLength', 'int', form.perplexity.maxSeqLength);
    suites.perplexity = defined({ maxSeqLength });
  }
  if (on('generation')) {
    const g = form.generation;
    const path = (name: string) => `suites.generation.${name}`;
    suites.generation = defined({
      maxNewTokens: read(path('maxNewTokens'), 'int', g.maxNewTokens),
      doSample: g.sampled,
      temperature: g.sampled ? read(path('temperature'), 'float', g.temperature) : undefined,
      topP: g.sampled ? read(path('topP'), 'float', g.topP) : undefined,
      seed: g.sampled ? read(path('seed'), 'int', g.seed) : undefined,
      thinking: g.thinking,
    });
  }
  if (on('multipleChoice')) {
    const mc = form.multipleChoice;
    suites.multipleChoice = defined({
      batchSize: read('suites.multipleChoice.batchSize', 'int', mc.batchSize),
      applyChatTemplate: mc.applyChatTemplate,
    });
  }
  const priority = parsePriority(form.priority);
  if (isMessage(priority)) problems.priority = priority;
  const name = form.name.trim();
  const input: CreateEvaluationInput = defined({
    datasetVersionId: form.datasetVersionId,
    targets: form.targets.map(toTargetInput),
    suites,
    name: name || undefined,
    maxExamples: read('maxExamples', 'int', form.maxExamples),
    bootstrapSamples: read('bootstrapSamples', 'int', form.bootstrapSamples),
    priority: isMessage(priority) ? undefined : priority,
  });
  return { input, problems };
}

/** The rows an evaluation of this version reads: its test split when it has one, else every row. */
export function setRows(version: { rowCount: number | null; splits: Record<string, unknown> | null } | null) {
  if (!version) return null;
  const test = version.splits?.test;
  return typeof test === 'number' && test > 0 ? test : (version.rowCount ?? 0);
}

/** "N examples × M targets": what the evaluation will score (per suite). */
export function estimate(rows: number | null, maxExamples: string, targets: number) {
  if (rows === null) return null;
  const cap = parseValue({ kind: 'int' }, maxExamples);
  const examples = typeof cap === 'number' && cap > 0 ? Math.min(cap, rows) : rows;
  return { examples, targets, answers: examples * targets };
}

/**
 * The base models of the chosen fine-tunes that are not chosen themselves: evaluating a base model
 * and its fine-tune side by side is the main use, so the form offers to add them.
 */
export function suggestedBases(
  targets: readonly TargetRef[],
  versions: readonly { id: string; baseModelId: string }[],
  catalogue: readonly string[],
): string[] {
  const chosen = new Set(targets);
  const bases = targets
    .filter((t) => t.startsWith('version:'))
    .map((t) => versions.find((v) => versionRef(v.id) === t)?.baseModelId)
    .filter((id): id is string => !!id && catalogue.includes(id) && !chosen.has(baseRef(id)));
  return [...new Set(bases)];
}
