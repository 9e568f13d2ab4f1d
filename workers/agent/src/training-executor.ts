import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tar from 'tar';
import type { ApiClient } from './api-client.js';
import type { AgentConfig } from './config.js';
import type { TrainerEvent } from './event-relay.js';
import type { ClaimedJobOf } from './job-executor.js';
import { ProcessJobExecutor, processRunner, type Outcome } from './process-executor.js';
import { extractArchive } from './safe-extract.js';
import { localBaseModel, type CatalogBaseModel, type TrainerRuntime } from './python.js';

export type TrainingJob = ClaimedJobOf<'TrainingJob'>;

/** The parts of the trainer spec (workers/trainer/README.md) the agent reads or replaces. */
interface TrainerSpec {
  base_model: CatalogBaseModel;
  resources?: { gpusPerNode: number };
  hyperparameters?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Trains one claimed attempt: fetches the dataset split(s), the base model and the checkpoint to
 * resume from, runs the trainer, uploads checkpoints (before their events are relayed) and the final
 * model. The lifecycle (relay, cancel, interrupt, lost lease, completion) is `ProcessJobExecutor`'s.
 */
export class TrainingExecutor extends ProcessJobExecutor<TrainingJob> {
  private readonly spec: TrainerSpec;

  constructor(claimed: TrainingJob, api: ApiClient, config: AgentConfig, runtime: TrainerRuntime) {
    super(claimed, api, config, runtime, { folder: 'runs', processName: 'the trainer' });
    this.spec = claimed.spec as TrainerSpec;
  }

  /** The run this job trains (the job's id is its run's). */
  get runId() {
    return this.claimed.id;
  }

  protected async prepare() {
    const c = this.claimed;
    const train = join(this.dir, 'train.jsonl');
    await this.fetchTo(`/worker/runs/${c.id}/dataset?split=train`, train);
    let evalPath: string | null = null;
    if (c.validationRows > 0) {
      evalPath = join(this.dir, 'validation.jsonl');
      await this.fetchTo(`/worker/runs/${c.id}/dataset?split=validation`, evalPath);
    }
    const output = join(this.dir, 'output');
    await mkdir(join(output, 'checkpoints'), { recursive: true });
    if (c.resumeFromStep !== null) {
      const archive = join(this.dir, 'resume.tar.gz');
      await this.fetchTo(`/worker/runs/${c.id}/checkpoint`, archive);
      await extractArchive(archive, join(output, 'checkpoints'));
      await rm(archive);
    }
    const { base_model: model, resources: _resources, ...rest } = this.spec;
    const basePath = await localBaseModel(this.runtime, model);
    const hp = (rest.hyperparameters ?? {}) as Record<string, unknown>;
    // The trainer requires every hyperparameter: with nothing to evaluate on, eval_steps is an explicit null.
    if (!evalPath) hp.eval_steps = null;
    return {
      ...rest,
      mode: this.config.trainerMode,
      base_model: basePath ? { path: basePath } : { hf_id: model.hf_id },
      dataset: { train_path: train, eval_path: evalPath },
      hyperparameters: hp,
      output_dir: output,
      resume_from_checkpoint: c.resumeFromStep !== null ? 'latest' : null,
    };
  }

  protected args() {
    const gpus = this.spec.resources?.gpusPerNode ?? 0;
    if (gpus <= 1) return ['-m', 'llmtrainer.train'];
    // torchrun goes through the lifeline so that it, like the trainer and every rank, dies with this agent.
    const torchrun = [this.runtime.python, '-m', 'torch.distributed.run', '--standalone', `--nproc_per_node=${gpus}`];
    return ['-m', 'llmtrainer.lifeline', ...torchrun, '-m', 'llmtrainer.train'];
  }

  protected async succeeded(completed: TrainerEvent): Promise<Outcome> {
    const artifacts = completed.artifacts as { model_dir: string; kind: string };
    await mkdir(artifacts.model_dir, { recursive: true }); // noop mode writes no weights
    const files = await readdir(artifacts.model_dir);
    const archive = join(this.dir, 'model.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: artifacts.model_dir }, files.length ? files : ['.']);
    const { artifact } = await this.api.upload<{ artifact: string }>(
      `/worker/runs/${this.runId}/model`,
      this.attempt,
      () => createReadStream(archive),
    );
    return {
      outcome: 'SUCCEEDED',
      training: {
        model: { artifact, kind: artifacts.kind, files },
        finalMetrics: (completed.final_metrics as Record<string, unknown> | undefined) ?? null,
        chatTemplate: (completed.chat_template as string | undefined) ?? null,
      },
    };
  }

  protected override async beforeCheckpoint(event: TrainerEvent) {
    const path = String(event.path);
    const archive = join(this.dir, `${basename(path)}.tar.gz`);
    await tar.c({ gzip: true, file: archive, cwd: dirname(path) }, [basename(path)]);
    await this.api.upload(`/worker/runs/${this.runId}/checkpoints/${event.step}`, this.attempt, () =>
      createReadStream(archive),
    );
    await rm(archive);
  }
}

/** Training on this machine (`python -m llmtrainer.train`, or torchrun for several GPUs). */
export const trainingRunner = processRunner<'TrainingJob'>('TRAINING', TrainingExecutor);
