import { findModel } from '../model/catalog.js';
import type { Run } from './run.entity.js';

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The trainer's run spec (workers/trainer/README.md) without the machine's paths: the agent adds
 * base_model.path for local/tiny models, dataset paths, output_dir and resume_from_checkpoint.
 * Needs `run.datasetVersion.dataset` loaded (the model card names the dataset).
 */
export function trainerSpec(run: Run) {
  const model = findModel(run.baseModelId);
  const hyperparameters = Object.fromEntries(
    Object.entries(run.config.hyperparameters)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [snake(k), v]),
  );
  const targets = hyperparameters.lora_target_modules as string[] | undefined;
  if (targets?.length === 1 && targets[0] === 'all-linear') hyperparameters.lora_target_modules = 'all-linear';
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
