import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, badInput } from '../../errors.js';
import type { AppServices } from '../../services.js';
import { JobKind, jobKind } from '../job/job-kind.js';
import { findModel } from '../base-model/catalog.js';
import { baseModelTarget, insertEvaluation, modelVersionTarget } from '../evaluation/evaluation-queue.js';
import { ModelVersion } from '../model-version/model-version.entity.js';
import type { Worker } from '../worker/worker.entity.js';
import { storeEvents } from './run-events.store.js';
import { TrainingJob, type TrainingResultInput } from './run-job.types.js';
import { trainerSpec } from './run-spec.js';
import { RunAttempt } from './run-attempt.entity.js';
import { RunCheckpoint } from './run-checkpoint.entity.js';
import { RunUpload } from './run-upload.entity.js';
import { Run } from './run.entity.js';
import { publishRun } from './run.service.js';

/** GPUs a run takes (a CPU run counts as one), over the row alias `x`: for fair share. */
const RUN_GPUS_SQL = `greatest(coalesce((x.config->'resources'->>'gpusPerNode')::int, 0)
  * coalesce((x.config->'resources'->>'nodes')::int, 1), 1)`;

const newestCheckpoint = (em: EntityManager, run: Run) =>
  em.findOne(RunCheckpoint, { run }, { orderBy: { step: 'desc' } });

/** Training as a job kind: a Run owns the job; the trainer runs it on a worker. */
export const trainingJobs = jobKind<Run, TrainingJob, TrainingResultInput>({
  kind: JobKind.TRAINING,
  entity: Run,
  table: 'runs',
  gpusSql: RUN_GPUS_SQL,
  attempts: { table: 'run_attempts', holderColumn: 'run_id' },
  // Trainer failures that would fail the same way again.
  finalReasons: new Set(['invalid_spec', 'nan_loss', 'oom']),
  populate: ['datasetVersion.dataset'],

  async openAttempt(em, run, worker: Worker) {
    const checkpoint = await newestCheckpoint(em, run);
    em.persist(
      Object.assign(new RunAttempt(), {
        run,
        number: run.attempt,
        worker,
        workerName: worker.name,
        resumedFromStep: checkpoint?.step ?? null,
      }),
    );
  },

  async closeOpenAttempts(em, run, outcome, reason) {
    const open = await em.find(RunAttempt, { run, endedAt: null });
    for (const a of open) Object.assign(a, { endedAt: new Date(), outcome, reason });
  },

  async payload(em, run, app) {
    const checkpoint = await newestCheckpoint(em, run);
    const splits = run.datasetVersion.splits;
    return Object.assign(new TrainingJob(), {
      kind: JobKind.TRAINING,
      id: run.id,
      attempt: run.attempt,
      leaseSeconds: app.config.RUN_LEASE_SECONDS,
      spec: trainerSpec(run),
      trainRows: splits ? splits.train : run.datasetVersion.rowCount,
      validationRows: splits?.validation ?? 0,
      resumeFromStep: checkpoint?.step ?? null,
    });
  },

  async succeed(em, run, result, app) {
    if (!result?.model) throw badInput('input.training.model', 'a succeeded run must name its model');
    const version = await registerModel(em, run, result, app);
    run.finalMetrics = numbers(result.finalMetrics ?? {});
    run.chatTemplate = result.chatTemplate ?? null;
    if (run.config.evaluateAfter) await evaluateResult(em, app, run, version);
  },

  async storeEvents(app, runId, attempt, workerAccountId, events) {
    return storeEvents(app.pool, runId, attempt, workerAccountId, events, app.config.RUN_MAX_METRIC_POINTS, app);
  },

  async logTail(em, run) {
    const rows = await em.execute<{ line: string }[]>(
      `select coalesce(payload->>'message', '') as line from run_events where run_id = ? and kind in ('log', 'failed') order by id desc limit 20`,
      [run.id],
    );
    return rows.map((r) => r.line).reverse();
  },

  publish(app, runId) {
    publishRun(app.pubsub, runId);
  },
});

/** The run's model version, numbered per project; only an artifact this attempt uploaded. */
async function registerModel(em: EntityManager, run: Run, result: TrainingResultInput, app: AppServices) {
  const { model } = result;
  // Artifacts are stored by content hash: a hash another run (or an earlier, fenced-off attempt of
  // this one) uploaded must not become this run's model.
  const uploaded =
    /^[0-9a-f]{64}$/.test(model.artifact) &&
    (await em.count(RunUpload, { run, attempt: run.attempt, kind: 'model', artifact: model.artifact })) > 0;
  if (!uploaded || !(await app.storage.artifacts.exists(model.artifact)))
    throw badInput(
      'input.training.model.artifact',
      'not uploaded for this run and attempt; PUT /worker/runs/:id/model first',
    );
  if (model.kind !== 'lora_adapter' && model.kind !== 'full_model')
    throw new AppError('BAD_USER_INPUT', 'input.training.model.kind: must be lora_adapter or full_model');
  // Numbers are per project: completions in one project take them one at a time.
  await em.execute('select pg_advisory_xact_lock(hashtext(?), hashtext(?))', [
    'llm-trainer:model-number',
    run.project.id,
  ]);
  const [{ max }] = await em.execute<{ max: number | null }[]>(
    'select max(number) as max from model_versions where project_id = ?',
    [run.project.id],
  );
  const version = Object.assign(new ModelVersion(), {
    project: run.project,
    number: (max ?? 0) + 1,
    name: run.name,
    run,
    baseModelId: run.baseModelId,
    datasetVersion: run.datasetVersion,
    kind: model.kind,
    artifact: model.artifact,
    sizeBytes: await app.storage.artifacts.size(model.artifact),
    files: model.files.slice(0, 1000),
    chatTemplate: result.chatTemplate ?? '',
    config: { method: run.method, objective: run.objective, ...run.config },
    metrics: numbers(result.finalMetrics ?? {}),
  });
  em.persist(version);
  return version;
}

/**
 * The evaluation the run asked for, queued in the completing transaction: the base model vs the new
 * model version on the dataset version's test split (a repeat of the same question answers from cache).
 */
async function evaluateResult(em: EntityManager, app: AppServices, run: Run, version: ModelVersion) {
  await em.populate(run, ['datasetVersion.dataset']);
  const base = findModel(run.baseModelId);
  const targets = [...(base ? [baseModelTarget(base)] : []), modelVersionTarget(version)];
  const set = run.datasetVersion;
  await insertEvaluation(em, app, {
    name: `${run.name}: test split of ${set.dataset.name} v${set.number}`,
    datasetVersion: set,
    split: 'test',
    targets,
    suites: run.config.evaluateAfter as unknown as Record<string, unknown>,
    bootstrap: { samples: 1000, seed: 0 },
    maxExamples: null,
    priority: run.priority,
    createdById: run.createdBy?.id ?? null,
    gpus: run.config.resources.gpusPerNode > 0 ? 1 : 0,
  });
}

const numbers = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<
    string,
    number
  >;
