import { badInput } from '../../errors.js';
import { JobKind, jobKind } from '../job/job-kind.js';
import type { Worker } from '../worker/worker.entity.js';
import { storeEvaluationEvents } from './evaluation-events.store.js';
import { EvaluationJob, type EvaluationResultInput } from './evaluation-job.types.js';
import { EVALUATOR_VERSION, evaluationRows, evaluatorSpec } from './evaluation-spec.js';
import { EvaluationAttempt } from './evaluation-attempt.entity.js';
import { EvaluationExample } from './evaluation-example.entity.js';
import { Evaluation } from './evaluation.entity.js';
import { publishEvaluation } from './evaluation.service.js';

/** Evaluation as a job kind: the evaluator (workers/trainer, llmtrainer.evaluation) runs it on a worker. */
export const evaluationJobs = jobKind<Evaluation, EvaluationJob, EvaluationResultInput>({
  kind: JobKind.EVALUATION,
  entity: Evaluation,
  table: 'evaluations',
  // One GPU on a GPU worker; on a CPU worker it counts as one, as CPU runs do.
  gpusSql: '1',
  attempts: { table: 'evaluation_attempts', holderColumn: 'evaluation_id' },
  // The spec or the set is wrong, or the model does not fit: trying again changes nothing.
  finalReasons: new Set(['invalid_spec', 'oom']),
  populate: ['datasetVersion'],

  async openAttempt(em, evaluation, worker: Worker) {
    em.persist(
      Object.assign(new EvaluationAttempt(), {
        evaluation,
        number: evaluation.attempt,
        worker,
        workerName: worker.name,
      }),
    );
  },

  async closeOpenAttempts(em, evaluation, outcome, reason) {
    const open = await em.find(EvaluationAttempt, { evaluation, endedAt: null });
    for (const a of open) Object.assign(a, { endedAt: new Date(), outcome, reason });
  },

  async payload(em, evaluation, app) {
    const [from, to] = evaluationRows(evaluation);
    return Object.assign(new EvaluationJob(), {
      kind: JobKind.EVALUATION,
      id: evaluation.id,
      attempt: evaluation.attempt,
      leaseSeconds: app.config.RUN_LEASE_SECONDS,
      spec: evaluatorSpec(evaluation),
      targets: evaluation.targets.map((t) => ({ key: t.key, modelVersionId: t.modelVersionId })),
      rows: to - from,
      storedExamples: await em.count(EvaluationExample, { evaluation }),
    });
  },

  async succeed(_em, evaluation, result) {
    if (!result?.summary) throw badInput('input.evaluation.summary', 'a succeeded evaluation must send its summary');
    // The result is cached under this API's evaluator version: one computed by another would be served as its.
    if (result.evaluatorVersion !== EVALUATOR_VERSION)
      throw badInput(
        'input.evaluation.evaluatorVersion',
        `the worker ran evaluator version ${result.evaluatorVersion}; this API expects ${EVALUATOR_VERSION} (update the worker)`,
      );
    evaluation.summary = result.summary;
    const targets = (result.summary.targets ?? {}) as Record<string, unknown>;
    const missing = evaluation.targets.filter((t) => !(t.key in targets)).map((t) => t.key);
    if (missing.length) throw badInput('input.evaluation.summary', `no results for target ${missing.join(', ')}`);
  },

  storeEvents(app, id, attempt, workerAccountId, events) {
    return storeEvaluationEvents(app.pool, id, attempt, workerAccountId, events);
  },

  async logTail(em, evaluation) {
    const rows = await em.execute<{ line: string }[]>(
      `select coalesce(payload->>'message', '') as line from evaluation_events
        where evaluation_id = ? and kind in ('log', 'failed') order by id desc limit 20`,
      [evaluation.id],
    );
    return rows.map((r) => r.line).reverse();
  },

  publish(app, id) {
    publishEvaluation(app, id);
  },
});
