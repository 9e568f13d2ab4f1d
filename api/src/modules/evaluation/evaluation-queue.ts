import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppServices } from '../../services.js';
import type { DatasetVersion } from '../dataset/dataset-version.entity.js';
import { enqueueInTransaction } from '../job/job-enqueue.js';
import { JobKind, JobStatus } from '../job/job-kind.js';
import { queueFor } from '../job/job-queue.js';
import { Project } from '../project/project.entity.js';
import { User } from '../user/user.entity.js';
import type { CatalogModel } from '../base-model/catalog.js';
import type { ModelVersion } from '../model-version/model-version.entity.js';
import { cacheKey } from './evaluation-spec.js';
import { Evaluation, type EvaluationTargetRef } from './evaluation.entity.js';

/** A catalogue base model as a target. */
export const baseModelTarget = (model: CatalogModel): EvaluationTargetRef => ({
  key: `base-${model.id
    .split('/')
    .pop()!
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')}`.slice(0, 64),
  baseModelId: model.id,
  modelVersionId: null,
  artifact: null,
  label: model.id,
});

/** A trained model version (adapter or full model) as a target. */
export const modelVersionTarget = (version: ModelVersion): EvaluationTargetRef => ({
  key: `v${version.number}`,
  baseModelId: version.baseModelId,
  modelVersionId: version.id,
  artifact: version.artifact,
  label: `${version.name} v${version.number}`,
});

export interface NewEvaluation extends Pick<
  Evaluation,
  'split' | 'suites' | 'bootstrap' | 'maxExamples' | 'name' | 'priority'
> {
  datasetVersion: DatasetVersion;
  targets: EvaluationTargetRef[];
  createdById: string | null;
  /** 1: a GPU queue; 0: CPU. */
  gpus: number;
}

/**
 * Records an evaluation in `em`'s transaction (checked input; access already checked by the caller):
 * the next number of its project, and either the stored result of the same question asked before
 * (cached, no job) or its queue job, committed with the row.
 */
export async function insertEvaluation(em: EntityManager, app: AppServices, input: NewEvaluation) {
  const { datasetVersion: version, targets, createdById, gpus, ...fields } = input;
  const projectId = version.dataset.project.id;
  // Numbers are per project; the project row lock orders concurrent creations.
  await em.findOneOrFail(Project, { id: projectId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const [{ max }] = await em.execute<{ max: number | null }[]>(
    'select max(number) as max from evaluations where project_id = ?',
    [projectId],
  );
  const key = cacheKey(fields, version.contentHash!, targets);
  const stored = await em.findOne(
    Evaluation,
    { project: projectId, cacheKey: key, status: JobStatus.SUCCEEDED },
    { orderBy: { finishedAt: 'asc' } },
  );
  const evaluation = Object.assign(new Evaluation(), {
    ...fields,
    project: em.getReference(Project, projectId),
    number: (max ?? 0) + 1,
    createdBy: createdById ? em.getReference(User, createdById) : null,
    datasetVersion: version,
    targets,
    cacheKey: key,
    maxAttempts: app.config.RUN_MAX_ATTEMPTS,
    queueName: queueFor(JobKind.EVALUATION, gpus),
  });
  em.persist(evaluation);
  if (stored) {
    // Asked before: the stored result answers at once and no job runs.
    const now = new Date();
    Object.assign(evaluation, {
      cachedFrom: stored.cachedFrom ?? stored.id,
      status: JobStatus.SUCCEEDED,
      summary: stored.summary,
      progress: stored.progress,
      startedAt: now,
      finishedAt: now,
    });
  } else await enqueueInTransaction(em, app.queue, JobKind.EVALUATION, evaluation);
  return evaluation;
}
