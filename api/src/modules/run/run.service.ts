import { LockMode } from '@mikro-orm/core';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { AppError, badInput, notFound, type FieldProblem } from '../../errors.js';
import { containsPattern, paginate, type PageArgs } from '../../graphql/pagination.js';
import { metricHistory } from './metric-history.js';
import { logLevel } from './run-events.store.js';
import { checkKeys, runLogStream, runMetricStream } from './run-live.js';
import { MetricSeries, type MetricsArgs, type RunLogsArgs, type SystemMetricsArgs } from './run-live.inputs.js';
import { rules, validate } from '../../graphql/validate.js';
import type { AppPubSub } from '../../pubsub.js';
import type { AppServices } from '../../services.js';
import { DatasetVersionStatus, type DatasetVersion } from '../dataset/dataset-version.entity.js';
import { suitesSchema, toEvaluatorSuites } from '../evaluation/evaluation.service.js';
import { ProjectRole } from '../project/project-member.entity.js';
import { requireProjectRole } from '../project/project-access.js';
import { Project } from '../project/project.entity.js';
import { User } from '../user/user.entity.js';
import { resolveRunConfig } from './run-config.js';
import { enqueueInTransaction } from '../job/job-enqueue.js';
import { JobKind } from '../job/job-kind.js';
import { queueFor } from '../job/job-queue.js';
import { RunAttempt } from './run-attempt.entity.js';
import { RunCheckpoint } from './run-checkpoint.entity.js';
import { RunEvent } from './run-event.entity.js';
import type { CreateRunInput, MyRunsArgs, RunEventsArgs, RunsArgs } from './run.inputs.js';
import { FINISHED, Run, RunStatus } from './run.entity.js';

const createSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters').nullish(),
  priority: z.number().int().min(-100, 'must be -100 to 100').max(100, 'must be -100 to 100'),
});

/** What a run list shows per row besides the run itself: loaded with the page, not per row. */
const LIST_POPULATE = ['worker', 'project'];

export const publishRun = (pubSub: AppPubSub, runId: string) => pubSub.publish('RUN_UPDATED', runId, { runId });

/** What users do with runs: launch, watch, cancel, retry. Access is checked first, per project. */
export class RunService {
  constructor(
    private readonly ctx: Context,
    private readonly app: AppServices,
  ) {}

  /** The run, if the viewer is a member of its project with at least `minRole`. */
  async access(id: string, minRole = ProjectRole.VIEWER): Promise<Run> {
    const run = await this.ctx.em.findOne(Run, { id: validate(rules.uuid, id, 'id') });
    if (!run) throw notFound('Run');
    await requireProjectRole(this.ctx.em, this.ctx.viewer, run.project.id, minRole);
    return run;
  }

  async list(args: RunsArgs) {
    await requireProjectRole(this.ctx.em, this.ctx.viewer, args.projectId, ProjectRole.VIEWER);
    const where: Record<string, unknown> = { project: args.projectId };
    if (args.status?.length) where.status = { $in: args.status };
    return paginate(this.ctx.em, Run, where, { createdAt: 'desc', id: 'desc' }, args, LIST_POPULATE);
  }

  async create(input: CreateRunInput): Promise<Run> {
    const { name, priority } = validate(createSchema, { name: input.name, priority: input.priority }, 'input');
    const version = await this.ctx.services.datasets.versionAccess(input.datasetVersionId, ProjectRole.EDITOR);
    if (version.status !== DatasetVersionStatus.READY)
      throw badInput('input.datasetVersionId', `version ${version.number} is ${version.status}, not READY`);
    const config = resolveRunConfig(input, version, await this.ctx.services.workers.pool());
    const problems: FieldProblem[] = [];
    if (config.resources.nodes > 1)
      problems.push({
        field: 'input.resources.nodes',
        message: 'multi-node runs cannot be scheduled yet; use one node (up to 16 GPUs)',
      });
    const h = config.hyperparameters;
    if (h.evalSteps !== null && !version.splits?.validation)
      problems.push({
        field: 'input.hyperparameters.evalSteps',
        message: 'this version has no validation split to evaluate on; split it first or leave evalSteps empty',
      });
    const evaluateAfter = this.evaluateAfter(input, version, problems);
    if (problems.length)
      throw new AppError('BAD_USER_INPUT', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
        fields: problems,
      });

    const projectId = version.dataset.project.id;
    const run = await this.ctx.em.transactional(async (em) => {
      // Run numbers are per project; the project row lock orders concurrent launches.
      await em.findOneOrFail(Project, { id: projectId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const [{ max }] = await em.execute<{ max: number | null }[]>(
        'select max(number) as max from runs where project_id = ?',
        [projectId],
      );
      const run = Object.assign(new Run(), {
        project: em.getReference(Project, projectId),
        number: (max ?? 0) + 1,
        name: name ?? `${config.model.id.split('/').pop()} on ${version.dataset.name} v${version.number}`,
        createdBy: em.getReference(User, this.ctx.viewer!.user.id),
        datasetVersion: version,
        baseModelId: config.model.id,
        method: config.method,
        objective: config.objective,
        config: { hyperparameters: h, resources: config.resources, evaluateAfter },
        priority,
        maxAttempts: this.app.config.RUN_MAX_ATTEMPTS,
        queueName: queueFor(JobKind.TRAINING, config.resources.gpusPerNode),
      });
      em.persist(run);
      // The job commits with the row (see enqueueInTransaction), and so does the audit entry.
      await enqueueInTransaction(em, this.app.queue, JobKind.TRAINING, run);
      this.ctx.services.audit.record(
        {
          action: 'run.create',
          targetType: 'run',
          targetId: run.id,
          details: { projectId, baseModelId: run.baseModelId, method: run.method, objective: run.objective },
        },
        em,
      );
      await em.flush();
      return run;
    });
    publishRun(this.app.pubsub, run.id);
    return run;
  }

  /** The evaluation asked for after training, in the evaluator's terms; problems name the input field. */
  private evaluateAfter(input: CreateRunInput, version: DatasetVersion, problems: FieldProblem[]) {
    if (!input.evaluateAfter) return null;
    const parsed = suitesSchema.safeParse(input.evaluateAfter);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({ field: ['input.evaluateAfter', ...issue.path].join('.'), message: issue.message });
      return null;
    }
    const suites = toEvaluatorSuites(parsed.data);
    // A run trains on conversations (multiple-choice sets are refused): its test split has no questions.
    if (suites.multiple_choice)
      problems.push({
        field: 'input.evaluateAfter.multipleChoice',
        message: 'needs multiple-choice questions; a run trains on conversations: use perplexity or generation',
      });
    else if (!suites.perplexity && !suites.generation)
      problems.push({ field: 'input.evaluateAfter', message: 'choose at least one suite' });
    if (!version.splits?.test)
      problems.push({
        field: 'input.evaluateAfter',
        message: `version ${version.number} has no test split to evaluate on; split it with a test share first`,
      });
    return suites;
  }

  /** Queued: cancelled at once. Training: the worker is told (heartbeat) and stops with a checkpoint. */
  async cancel(id: string): Promise<Run> {
    const run = await this.access(id, ProjectRole.EDITOR);
    if (FINISHED.includes(run.status)) throw new AppError('CONFLICT', `The run already ended (${run.status})`);
    run.cancelRequestedAt ??= new Date();
    if (run.status === RunStatus.QUEUED) {
      if (run.jobId) await this.app.queue.cancel(run.queueName, run.jobId);
      run.status = RunStatus.CANCELLED;
      run.finishedAt = new Date();
    }
    this.ctx.services.audit.record({ action: 'run.cancel', targetType: 'run', targetId: run.id });
    await this.ctx.em.flush();
    publishRun(this.app.pubsub, run.id);
    return run;
  }

  /** Queues a failed or cancelled run again; it resumes from its newest checkpoint. */
  async retry(id: string): Promise<Run> {
    const run = await this.access(id, ProjectRole.EDITOR);
    if (run.status !== RunStatus.FAILED && run.status !== RunStatus.CANCELLED)
      throw new AppError('CONFLICT', `Only failed or cancelled runs can be retried; this one is ${run.status}`);
    Object.assign(run, {
      status: RunStatus.QUEUED,
      error: null,
      cancelRequestedAt: null,
      finishedAt: null,
      worker: null,
      // Attempts keep counting across retries: the new queue job starts its own count at 0.
      attemptBase: run.attempt,
      jobId: null,
    });
    run.maxAttempts = this.app.config.RUN_MAX_ATTEMPTS;
    // The row's QUEUED state, its new job and the audit entry commit together.
    await this.ctx.em.transactional(async (em) => {
      this.ctx.services.audit.record({ action: 'run.retry', targetType: 'run', targetId: run.id }, em);
      await enqueueInTransaction(em, this.app.queue, JobKind.TRAINING, run);
    });
    publishRun(this.app.pubsub, run.id);
    return run;
  }

  /** Downsampled history of the training metrics (see metric-history.ts). */
  async metrics(run: Run, args: MetricsArgs) {
    const keys = checkKeys(args.keys) ?? (await this.metricKeys(run));
    const from = args.fromStep ?? 0;
    const to = args.toStep ?? 2 ** 31 - 1;
    if (to < from) throw badInput('toStep', 'must not be before fromStep');
    return this.history(run, { name: 'run_metrics', x: 'step' }, keys, from, to, args.maxPoints);
  }

  async metricKeys(run: Run): Promise<string[]> {
    const r = await this.app.pool.query<{ key: string }>(
      `select distinct key from run_metric_rollups where run_id = $1 and width = 1024 order by key`,
      [run.id],
    );
    return r.rows.map((k) => k.key);
  }

  /** Machine metrics over the run's life (x: Unix seconds). */
  async systemMetrics(run: Run, args: SystemMetricsArgs) {
    let keys = checkKeys(args.keys);
    if (!keys) {
      const r = await this.app.pool.query<{ key: string }>(
        `select distinct key from run_system_metrics where run_id = $1 order by key`,
        [run.id],
      );
      keys = r.rows.map((k) => k.key);
    }
    return this.history(run, { name: 'run_system_metrics', x: 'time' }, keys, 0, 2 ** 40, args.maxPoints);
  }

  private async history(
    run: Run,
    table: Parameters<typeof metricHistory>[1],
    keys: string[],
    from: number,
    to: number,
    maxPoints: number,
  ) {
    if (!Number.isInteger(maxPoints) || maxPoints < 2 || maxPoints > 10_000)
      throw badInput('maxPoints', 'must be 2 to 10000');
    const series = await Promise.all(
      keys.map((k) => metricHistory(this.app.pool, table, run.id, k, from, to, maxPoints)),
    );
    return series.map((s) => Object.assign(new MetricSeries(), s));
  }

  /** Log lines, newest first, optionally only those containing `search`. */
  async logs(run: Run, args: RunLogsArgs) {
    const where: Record<string, unknown> = { run, kind: { $in: ['log', 'failed'] } };
    if (args.search?.trim()) where.payload = { message: { $ilike: containsPattern(args.search.trim()) } };
    const page = await paginate(this.ctx.em, RunEvent, where, { id: 'desc' }, args);
    return {
      ...page,
      nodes: page.nodes.map((e) => ({
        id: String(e.id), // a bigint: graphql's ID serialises strings and safe integers only
        time: e.time,
        attempt: e.attempt,
        level: logLevel(e.kind, e.payload.level),
        message: String(e.payload.message ?? ''),
      })),
    };
  }

  metricStream(runId: string, keys: string[] | null, afterStep: number) {
    return runMetricStream(this.ctx, this.app, runId, keys, afterStep);
  }

  logStream(runId: string, afterId: string | null) {
    return runLogStream(this.ctx, this.app, runId, afterId);
  }

  /** Runs across every project the viewer belongs to, newest first (the dashboard). */
  async mine(args: MyRunsArgs) {
    const where: Record<string, unknown> = { project: { members: { user: this.ctx.viewer!.user.id } } };
    if (args.status?.length) where.status = { $in: args.status };
    return paginate(this.ctx.em, Run, where, { createdAt: 'desc', id: 'desc' }, args, LIST_POPULATE);
  }

  attempts(run: Run, page: PageArgs) {
    return paginate(this.ctx.em, RunAttempt, { run }, { number: 'desc', id: 'desc' }, page);
  }

  checkpoints(run: Run, page: PageArgs) {
    return paginate(this.ctx.em, RunCheckpoint, { run }, { step: 'desc', id: 'desc' }, page);
  }

  /** Newest first. */
  events(run: Run, args: RunEventsArgs) {
    const where: Record<string, unknown> = { run };
    if (args.kinds?.length) where.kind = { $in: args.kinds };
    return paginate(this.ctx.em, RunEvent, where, { id: 'desc' }, args);
  }
}
