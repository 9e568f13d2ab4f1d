import { findModel } from '../base-model/catalog.js';
import { HYPERPARAMETER_NAMES, RUN_DEFAULTS, defaultLoraTargets, type Hyperparameters } from './run-defaults.js';
import type { Run } from './run.entity.js';

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The trainer's names for the run's hyperparameters (its spec.py `Hyperparameters`, every one required). */
export const TRAINER_HYPERPARAMETERS = HYPERPARAMETER_NAMES.map(snake);

/**
 * Every hyperparameter, snake_case, explicit (a null stays null): the run's stored values, and the
 * API's defaults for any a run stored before that field existed.
 */
export function trainerHyperparameters(run: Pick<Run, 'baseModelId' | 'config'>): Record<string, unknown> {
  const stored = run.config.hyperparameters as Partial<Hyperparameters>;
  const resolved: Hyperparameters = {
    ...RUN_DEFAULTS,
    loraTargetModules: defaultLoraTargets(findModel(run.baseModelId)),
    ...Object.fromEntries(Object.entries(stored).filter(([, v]) => v !== undefined)),
  };
  const targets = resolved.loraTargetModules;
  return Object.fromEntries(
    HYPERPARAMETER_NAMES.map((name) => [
      snake(name),
      name === 'loraTargetModules' && targets.length === 1 && targets[0] === 'all-linear'
        ? 'all-linear'
        : resolved[name],
    ]),
  );
}

/**
 * The trainer's run spec (workers/trainer/README.md) without the machine's paths: the agent adds
 * base_model.path for local/tiny models, dataset paths, output_dir and resume_from_checkpoint.
 * Needs `run.datasetVersion.dataset` loaded (the model card names the dataset).
 */
export function trainerSpec(run: Run) {
  const model = findModel(run.baseModelId);
  const hyperparameters = trainerHyperparameters(run);
  // The trainer checkpoints every save_steps; the API's copy is what survives a lost worker.
  return {
    run_id: run.id,
    attempt: run.attempt,
    mode: 'train',
    method: run.method,
    objective: run.objective,
    hyperparameters,
    base_model: {
      catalog_id: run.baseModelId,
      hf_id: model?.tinyFamily ? null : run.baseModelId,
      tiny_family: model?.tinyFamily ?? null,
    },
    resources: run.config.resources,
    // For the published model's README and a portable adapter_config (base model by hub id).
    model_card: {
      base_model_id: run.baseModelId,
      base_model_licence: model?.licence ?? null,
      run_name: run.name,
      run_number: run.number,
      dataset_name: run.datasetVersion.dataset.name ?? null,
      dataset_version: run.datasetVersion.number,
      dataset_content_hash: run.datasetVersion.contentHash,
      dataset_rows: run.datasetVersion.rowCount,
    },
  };
}
