import { join } from 'node:path';
import type { ApiClient } from './api-client.js';
import type { AgentConfig } from './config.js';
import type { TrainerEvent } from './event-relay.js';
import type { ClaimedJobOf } from './job-executor.js';
import { cachedModelVersion } from './model-version-cache.js';
import { ProcessJobExecutor, processRunner, type Outcome } from './process-executor.js';
import { localBaseModel, type CatalogBaseModel, type TrainerRuntime } from './python.js';

export type EvaluationJob = ClaimedJobOf<'EvaluationJob'>;

/** The parts of the evaluator spec (workers/trainer/README.md, Evaluation) the agent fills in. */
interface EvaluatorSpec {
  targets: { key: string; base_model: CatalogBaseModel; adapter_path: string | null }[];
  dataset: { path: string | null; schema_kind: string };
  [key: string]: unknown;
}

/**
 * Evaluates one claimed attempt: fetches the evaluation set's rows, each model version it scores (kept
 * in the work dir's model cache across jobs), the base models (tiny ones built here) and the example
 * rows an earlier attempt stored (`resume_from`: they are not scored again), runs the evaluator and
 * completes with its summary. The lifecycle (relay, cancel, interrupt, lost lease, completion) is
 * `ProcessJobExecutor`'s; the evaluator's example rows travel as events.
 */
export class EvaluationExecutor extends ProcessJobExecutor<EvaluationJob> {
  constructor(claimed: EvaluationJob, api: ApiClient, config: AgentConfig, runtime: TrainerRuntime) {
    super(claimed, api, config, runtime, { folder: 'evaluations', processName: 'the evaluator' });
  }

  protected async prepare() {
    const c = this.claimed;
    const spec = c.spec as EvaluatorSpec;
    const dataset = join(this.dir, 'dataset.jsonl');
    await this.fetchTo(`/worker/evaluations/${c.id}/dataset`, dataset);
    let resumeFrom: string | null = null;
    if (c.storedExamples > 0) {
      resumeFrom = join(this.dir, 'stored-examples.jsonl');
      await this.fetchTo(`/worker/evaluations/${c.id}/examples`, resumeFrom);
    }
    const adapters = new Map<string, string>();
    for (const { key, modelVersionId: id } of c.targets) {
      if (!id) continue;
      // A LoRA adapter or a full model: the evaluator tells them apart by the files.
      const dir = await cachedModelVersion(this.config.workDir, id, async (archive) => {
        const res = await this.fetchTo(`/worker/evaluations/${c.id}/models/${id}`, archive);
        return res.headers.get('x-model-kind');
      });
      adapters.set(key, dir);
    }
    const targets = [];
    for (const t of spec.targets) {
      const path = await localBaseModel(this.runtime, t.base_model);
      targets.push({ ...t, base_model: { ...t.base_model, path }, adapter_path: adapters.get(t.key) ?? null });
    }
    return {
      ...spec,
      targets,
      dataset: { ...spec.dataset, path: dataset },
      output_dir: join(this.dir, 'output'),
      resume_from: resumeFrom,
    };
  }

  protected args() {
    return ['-m', 'llmtrainer.evaluation'];
  }

  protected async succeeded(completed: TrainerEvent): Promise<Outcome> {
    return {
      outcome: 'SUCCEEDED',
      evaluation: {
        summary: completed.summary as Record<string, unknown>,
        evaluatorVersion: String(completed.evaluator_version),
      },
    };
  }
}

/** Evaluation on this machine, with the trainer's Python (`python -m llmtrainer.evaluation`). */
export const evaluationRunner = processRunner<'EvaluationJob'>('EVALUATION', EvaluationExecutor);
