import { AppError } from '../../errors.js';
import type { DatasetVersion } from '../dataset/dataset-version.entity.js';
import { CATALOG, findModel, type CatalogModel } from '../base-model/catalog.js';
import { estimateMemory, type Estimate } from '../base-model/estimate.js';
import type { RunConfigInput } from './run-config.inputs.js';
import {
  PRESETS,
  RUN_DEFAULTS,
  defaultLoraTargets,
  hyperSchema,
  isPresetName,
  type Hyperparameters,
} from './run-defaults.js';

export interface ResolvedRunConfig {
  model: CatalogModel;
  method: 'full' | 'lora' | 'qlora';
  objective: 'sft' | 'dpo';
  hyperparameters: Hyperparameters;
  resources: { gpusPerNode: number; nodes: number; strategy: 'ddp' | 'fsdp' };
}

type Problem = { field: string; message: string };
const refuse = (problems: Problem[]) =>
  new AppError('BAD_USER_INPUT', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { fields: problems });

/** The largest GPU count among registered workers (null when no worker is registered yet). */
export type WorkerPool = { maxGpus: number } | null;

/**
 * Applies the preset and defaults, then checks the whole configuration against the model, the
 * dataset version and the resources. Every problem names its field; all are reported at once.
 */

export function resolveRunConfig(
  input: RunConfigInput,
  version: DatasetVersion,
  pool: WorkerPool = null,
): ResolvedRunConfig {
  const problems: Problem[] = [];
  const model = findModel(input.baseModelId);
  if (!model)
    problems.push({
      field: 'input.baseModelId',
      message: `unknown model; one of ${CATALOG.map((m) => m.id).join(', ')}`,
    });
  const presetValues = input.preset && isPresetName(input.preset) ? PRESETS[input.preset].values : {};
  if (input.preset && !isPresetName(input.preset))
    problems.push({ field: 'input.preset', message: `must be one of ${Object.keys(PRESETS).join(', ')}` });
  const given = Object.fromEntries(
    Object.entries(input.hyperparameters ?? {}).filter(([, v]) => v !== null && v !== undefined),
  );
  const merged = { ...RUN_DEFAULTS, loraTargetModules: defaultLoraTargets(model), ...presetValues, ...given };
  const parsed = hyperSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push({ field: `input.hyperparameters.${issue.path.join('.')}`, message: issue.message });
  }
  const resources = { gpusPerNode: 1, nodes: 1, strategy: 'ddp' as const, ...(input.resources ?? {}) };
  if (resources.gpusPerNode < 0 || resources.gpusPerNode > 16)
    problems.push({ field: 'input.resources.gpusPerNode', message: 'must be 0 to 16' });
  if (resources.nodes < 1 || resources.nodes > 64)
    problems.push({ field: 'input.resources.nodes', message: 'must be 1 to 64' });
  const gpus = resources.gpusPerNode * resources.nodes;
  if (resources.strategy === 'fsdp' && gpus < 2)
    problems.push({
      field: 'input.resources.strategy',
      message: 'FSDP shards across GPUs; it needs at least 2 (use DDP on one GPU)',
    });
  if (resources.gpusPerNode === 0 && resources.nodes > 1)
    problems.push({ field: 'input.resources.nodes', message: 'CPU training runs on one node' });
  if (pool && input.method === 'qlora' && pool.maxGpus === 0) {
    problems.push({ field: 'input.method', message: 'QLoRA (4-bit) needs CUDA; every registered worker is CPU-only' });
  } else if (pool && resources.gpusPerNode > pool.maxGpus) {
    problems.push({
      field: 'input.resources.gpusPerNode',
      message: `no registered worker has ${resources.gpusPerNode} GPUs (the most is ${pool.maxGpus})`,
    });
  }
  if (input.method === 'qlora' && resources.gpusPerNode === 0)
    problems.push({ field: 'input.method', message: 'QLoRA (4-bit) needs CUDA GPUs; choose LoRA for CPU workers' });
  if (parsed.success && model && parsed.data.maxSeqLength > model.contextLength) {
    problems.push({
      field: 'input.hyperparameters.maxSeqLength',
      message: `must be at most ${model.contextLength}, the context length of ${model.id}`,
    });
  }
  if (parsed.success && resources.gpusPerNode === 0 && parsed.data.precision !== 'fp32') {
    problems.push({ field: 'input.hyperparameters.precision', message: 'CPU training needs fp32' });
  }
  if (input.objective === 'dpo' && version.schemaKind !== 'preference') {
    problems.push({
      field: 'input.objective',
      message: `DPO needs a preference dataset (prompt, chosen, rejected); this version is ${version.schemaKind ?? 'unknown'}`,
    });
  }
  if (version.schemaKind === 'multiple_choice') {
    problems.push({
      field: 'input.datasetVersionId',
      message: `version ${version.number} holds multiple-choice questions: an evaluation set, not training data`,
    });
  } else if (input.objective === 'sft' && version.schemaKind === 'preference') {
    problems.push({ field: 'input.objective', message: 'this is a preference dataset; train it with DPO' });
  }
  const unresolved = (version.validation as { unresolved?: number } | null)?.unresolved ?? 0;
  if (unresolved > 0) {
    problems.push({
      field: 'input.datasetVersionId',
      message: `version ${version.number} has ${unresolved} rows with unresolved problems; drop or fix them first`,
    });
  }
  if (problems.length) throw refuse(problems);
  return { model: model!, method: input.method, objective: input.objective, hyperparameters: parsed.data!, resources };
}

const GPU_CLASSES: [string, number][] = [
  ['24 GB (RTX 4090 / L4)', 24],
  ['40 GB (A100-40G)', 40],
  ['80 GB (A100 / H100)', 80],
  ['141 GB (H200)', 141],
];

/** Memory and time estimate for a resolved configuration on a dataset version. */
export function estimateRun(
  config: ResolvedRunConfig,
  version: DatasetVersion,
): Estimate & { trainTokens: number; fitsOn: string[]; warnings: string[] } {
  const stats = (version.stats ?? {}) as { tokens?: { mean: number } | null; chars?: { mean: number } };
  const meanTokens = stats.tokens?.mean ?? (stats.chars?.mean ?? 0) / 3;
  const h = config.hyperparameters;
  const trainTokens = Math.round(version.rowCount * Math.min(meanTokens, h.maxSeqLength) * h.numTrainEpochs);
  const estimate = estimateMemory(config.model, {
    method: config.method,
    precision: h.precision,
    loraR: h.loraR,
    loraTargets:
      h.loraTargetModules.length === 1 && h.loraTargetModules[0] === 'all-linear' ? 7 : h.loraTargetModules.length,
    batchSize: h.perDeviceTrainBatchSize,
    maxSeqLength: h.maxSeqLength,
    gradientCheckpointing: h.gradientCheckpointing,
    gpus: config.resources.gpusPerNode * config.resources.nodes,
    strategy: config.resources.strategy,
    trainTokens,
  });
  const fitsOn = GPU_CLASSES.filter(([, gb]) => estimate.totalGb <= gb).map(([name]) => name);
  const warnings: string[] = [];
  if (!fitsOn.length)
    warnings.push(
      `about ${estimate.totalGb} GiB per GPU: more than any single GPU; use QLoRA, FSDP, gradient checkpointing or a smaller batch`,
    );
  if (config.model.thinking && h.thinking === 'keep')
    warnings.push(
      `${config.model.family} adds empty <think></think> blocks to answers without reasoning; consider thinking: strip_empty`,
    );
  if (meanTokens > h.maxSeqLength)
    warnings.push(
      `rows average ${Math.round(meanTokens)} tokens, more than maxSeqLength ${h.maxSeqLength}: answers will be cut`,
    );
  return { ...estimate, trainTokens, fitsOn, warnings };
}
