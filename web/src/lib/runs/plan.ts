import type { Message } from '$lib/forms.svelte';
import type {
  DistributedStrategy,
  HyperparameterValuesFieldsFragment,
  HyperparametersInput,
  RunDefaultsQuery,
  RunConfigInput,
  TrainingMethod,
  TrainingObjective,
  TrainingPrecision,
} from '$lib/graphql/generated/graphql';

/** The wizard's steps, in order. */
export const PLAN_STEPS = ['data', 'model', 'method', 'preset', 'hyper', 'resources', 'review'] as const;
export type PlanStep = (typeof PLAN_STEPS)[number];

export const METHODS: TrainingMethod[] = ['LORA', 'QLORA', 'FULL'];
export const OBJECTIVES: TrainingObjective[] = ['SFT', 'DPO'];
export const STRATEGIES: DistributedStrategy[] = ['DDP', 'FSDP'];

/** Every hyperparameter but the LoRA target modules, which have their own control. */
export type HyperName = Exclude<keyof HyperparametersInput, 'loraTargetModules'>;
export type HyperValue = number | boolean | string | null;
export const HYPER_GROUPS = ['basics', 'lora', 'memory', 'schedule', 'logging', 'thinking'] as const;
export type HyperGroup = (typeof HYPER_GROUPS)[number];

export interface HyperField {
  name: HyperName;
  kind: 'int' | 'float' | 'bool' | 'choice';
  group: HyperGroup;
  options?: readonly string[];
  /** Sent only with LoRA/QLoRA (`lora`) or with the DPO objective (`dpo`). */
  only?: 'lora' | 'dpo';
}

const PRECISIONS: TrainingPrecision[] = ['BF16', 'FP16', 'FP32'];

/** A Record, so the compiler insists on every field of HyperparametersInput. Order = display order. */
const SPECS: Record<HyperName, Omit<HyperField, 'name'>> = {
  learningRate: { kind: 'float', group: 'basics' },
  numTrainEpochs: { kind: 'float', group: 'basics' },
  maxSteps: { kind: 'int', group: 'basics' },
  perDeviceTrainBatchSize: { kind: 'int', group: 'basics' },
  gradientAccumulationSteps: { kind: 'int', group: 'basics' },
  maxSeqLength: { kind: 'int', group: 'basics' },
  packing: { kind: 'bool', group: 'basics' },
  assistantOnlyLoss: { kind: 'bool', group: 'basics' },
  seed: { kind: 'int', group: 'basics' },
  dpoBeta: { kind: 'float', group: 'basics', only: 'dpo' },
  loraR: { kind: 'int', group: 'lora', only: 'lora' },
  loraAlpha: { kind: 'int', group: 'lora', only: 'lora' },
  loraDropout: { kind: 'float', group: 'lora', only: 'lora' },
  precision: { kind: 'choice', group: 'memory', options: PRECISIONS },
  gradientCheckpointing: { kind: 'bool', group: 'memory' },
  optim: { kind: 'choice', group: 'memory', options: ['adamw_torch', 'adamw_8bit', 'adafactor', 'sgd'] },
  lrSchedulerType: {
    kind: 'choice',
    group: 'schedule',
    options: ['linear', 'cosine', 'constant', 'constant_with_warmup'],
  },
  warmupRatio: { kind: 'float', group: 'schedule' },
  weightDecay: { kind: 'float', group: 'schedule' },
  loggingSteps: { kind: 'int', group: 'logging' },
  saveSteps: { kind: 'int', group: 'logging' },
  evalSteps: { kind: 'int', group: 'logging' },
  thinking: { kind: 'choice', group: 'thinking', options: ['keep', 'strip_empty'] },
};
export const HYPER_FIELDS: HyperField[] = Object.entries(SPECS).map(([name, spec]) => ({
  name: name as HyperName,
  ...spec,
}));

/** A value for every field: the API's defaults, or a preset applied to them. */
export type HyperValues = Record<HyperName, HyperValue>;

/** The API's defaults and presets (`runDefaults`): the only source of the values the planner shows. */
export interface RunDefaults {
  hyperparameters: HyperValues;
  presets: { name: string; method: TrainingMethod; hyperparameters: HyperValues }[];
}

/** The query's answer as RunDefaults; the compiler insists that it has a value for every field. */
export function toRunDefaults(data: RunDefaultsQuery['runDefaults']): RunDefaults {
  const values = (v: HyperparameterValuesFieldsFragment): HyperValues => ({ ...v });
  return {
    hyperparameters: values(data.hyperparameters),
    presets: data.presets.map((p) => ({ name: p.name, method: p.method, hyperparameters: values(p.hyperparameters) })),
  };
}

/** The value a field takes when left empty: the preset's, else the API default. */
export function effectiveDefault(defaults: RunDefaults, name: HyperName, preset: string): HyperValue {
  const chosen = defaults.presets.find((p) => p.name === preset);
  return (chosen ?? defaults).hyperparameters[name];
}

/** The fields a preset sets to something other than the default, in display order. */
export function presetChanges(defaults: RunDefaults, preset: string): HyperName[] {
  const chosen = defaults.presets.find((p) => p.name === preset);
  if (!chosen) return [];
  return HYPER_FIELDS.map((f) => f.name).filter(
    (name) => chosen.hyperparameters[name] !== defaults.hyperparameters[name],
  );
}

export type LoraTargetMode = 'default' | 'all-linear' | 'custom';

/** The wizard's state. Hyperparameters are text as typed; an empty one takes the preset or default. */
export interface PlanForm {
  datasetVersionId: string;
  baseModelId: string;
  method: TrainingMethod;
  objective: TrainingObjective;
  /** A preset's name (`runDefaults.presets`), or '' for none. */
  preset: string;
  hyper: Record<HyperName, string>;
  loraTargets: { mode: LoraTargetMode; modules: string[] };
  resources: { gpusPerNode: string; nodes: string; strategy: DistributedStrategy };
}

export function emptyForm(): PlanForm {
  const hyper = Object.fromEntries(HYPER_FIELDS.map((f) => [f.name, ''])) as Record<HyperName, string>;
  return {
    datasetVersionId: '',
    baseModelId: '',
    method: 'LORA',
    objective: 'SFT',
    preset: '',
    hyper,
    loraTargets: { mode: 'default', modules: [] },
    resources: { gpusPerNode: '1', nodes: '1', strategy: 'DDP' },
  };
}

/** The model a CPU-only pool can train in minutes (random weights, real Qwen3 tokenizer and template). */
export const CPU_MODEL = 'llm-trainer/tiny-qwen3';

/** What the planner needs to know about the workers (the API's `workerPool`). */
export interface PoolFacts {
  cpuOnly: boolean;
  maxGpus: number | null;
}

/**
 * Starts an untouched form from what the workers can run, so that the first plan launches as it is:
 * on a CPU-only pool 0 GPUs, fp32 and, with no model chosen yet, the tiny model. A value someone
 * already set is kept. Returns whether the model was chosen here (the page says so).
 */
export function fitToPool(form: PlanForm, pool: PoolFacts, modelIds: readonly string[]): boolean {
  if (!pool.cpuOnly) return false;
  if (form.resources.gpusPerNode === emptyForm().resources.gpusPerNode) form.resources.gpusPerNode = '0';
  if (form.hyper.precision === '') form.hyper.precision = 'FP32';
  if (form.baseModelId || !modelIds.includes(CPU_MODEL)) return false;
  form.baseModelId = CPU_MODEL;
  return true;
}

/** GraphQL `Int` is 32-bit signed; a bigger number fails before the API can say which field. */
const INT_MAX = 2 ** 31 - 1;
const INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Text → the value to send; `undefined` for empty, a Message when it cannot be one. */
export function parseValue(field: Pick<HyperField, 'kind' | 'options'>, raw: string): HyperValue | undefined | Message {
  const text = raw.trim();
  if (text === '') return undefined;
  switch (field.kind) {
    case 'int': {
      if (!INTEGER.test(text)) return { key: 'plan.validation.integer' };
      const value = Number(text);
      return Math.abs(value) > INT_MAX ? { key: 'plan.validation.tooLarge' } : value;
    }
    case 'float':
      return DECIMAL.test(text) && Number.isFinite(Number(text)) ? Number(text) : { key: 'plan.validation.number' };
    case 'bool':
      return text === 'true';
    case 'choice':
      return field.options?.includes(text) ? text : { key: 'plan.validation.choice' };
  }
}

const isMessage = (value: unknown): value is Message => typeof value === 'object' && value !== null;

/** Whether a field is sent for this method and objective (hidden fields never block an estimate). */
export function applies(field: Pick<HyperField, 'only'>, method: TrainingMethod, objective: TrainingObjective) {
  if (field.only === 'lora') return method !== 'FULL';
  if (field.only === 'dpo') return objective === 'DPO';
  return true;
}

/**
 * The form as the API's RunConfigInput, leaving out what is empty (the preset or default applies)
 * and what does not apply (LoRA settings for a full fine-tune, dpoBeta for SFT). Problems are keyed
 * like the API's field paths without `input.` (`hyperparameters.loraR`), so the same lookup shows
 * the client's and the server's messages next to the control.
 */
export function toRunConfigInput(form: PlanForm): { input: RunConfigInput; problems: Record<string, Message> } {
  const problems: Record<string, Message> = {};
  const hyper: Record<string, unknown> = {};
  for (const field of HYPER_FIELDS) {
    if (!applies(field, form.method, form.objective)) continue;
    const value = parseValue(field, form.hyper[field.name]);
    if (isMessage(value)) problems[`hyperparameters.${field.name}`] = value;
    else if (value !== undefined) hyper[field.name] = value;
  }
  if (form.method !== 'FULL') {
    const { mode, modules } = form.loraTargets;
    if (mode === 'all-linear') hyper.loraTargetModules = ['all-linear'];
    if (mode === 'custom') {
      if (modules.length) hyper.loraTargetModules = [...modules];
      else problems['hyperparameters.loraTargetModules'] = { key: 'plan.validation.modules' };
    }
  }
  const resources: Record<string, unknown> = { strategy: form.resources.strategy };
  for (const name of ['gpusPerNode', 'nodes'] as const) {
    const value = parseValue({ kind: 'int' }, form.resources[name]);
    if (isMessage(value)) problems[`resources.${name}`] = value;
    else if (value !== undefined) resources[name] = value;
  }
  const input: RunConfigInput = {
    datasetVersionId: form.datasetVersionId,
    baseModelId: form.baseModelId,
    method: form.method,
    objective: form.objective,
    ...(form.preset ? { preset: form.preset } : {}),
    ...(Object.keys(hyper).length ? { hyperparameters: hyper as HyperparametersInput } : {}),
    resources,
  };
  return { input, problems };
}

/** The step whose controls a problem at `path` (API field path without `input.`) belongs to. */
export function stepOfPath(path: string): PlanStep | null {
  const head = path.split('.')[0];
  switch (head) {
    case 'datasetVersionId':
      return 'data';
    case 'baseModelId':
      return 'model';
    case 'method':
    case 'objective':
      return 'method';
    case 'preset':
      return 'preset';
    case 'hyperparameters':
      return 'hyper';
    case 'resources':
      return 'resources';
    case 'name':
    case 'priority':
    case 'evaluateAfter':
      return 'review';
    default:
      return null;
  }
}

/**
 * Every problem once, keyed by field path: the client's (about what is typed now) and the API's
 * about any other field. An API message about a field the client already faults, or a part of it
 * (`loraTargetModules.1`), is a verdict on a value that was never sent: dropped, so it is not counted twice.
 */
export function mergeProblems(
  client: Record<string, Message>,
  server: Record<string, string>,
): Record<string, Message> {
  const faulted = Object.keys(client);
  const fromServer = Object.entries(server).filter(
    ([path]) => !faulted.some((own) => path === own || path.startsWith(`${own}.`)),
  );
  return { ...Object.fromEntries(fromServer.map(([path, text]) => [path, { text }])), ...client };
}

/** The message for a control at `path`: its own, or the first one about a part of it (`loraTargetModules.1`). */
export function problemAt<T>(problems: Record<string, T>, path: string): T | undefined {
  if (path in problems) return problems[path];
  const key = Object.keys(problems).find((p) => p.startsWith(`${path}.`));
  return key === undefined ? undefined : problems[key];
}

/** A run's priority as typed: -100 to 100, empty meaning 0. */
export function parsePriority(text: string): number | Message {
  const value = parseValue({ kind: 'int' }, text);
  if (value === undefined) return 0;
  if (isMessage(value)) return value;
  const n = value as number;
  return n < -100 || n > 100 ? { key: 'plan.launch.priorityRange' } : n;
}

/** Steps past the model need a version and a model: until then there is nothing to estimate. */
export function isLocked(step: PlanStep, ready: boolean): boolean {
  return !ready && step !== 'data' && step !== 'model';
}
