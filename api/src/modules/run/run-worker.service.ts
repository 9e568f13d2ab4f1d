import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { AppError, badInput, notFound } from '../../errors.js';
import { validate } from '../../graphql/validate.js';
import type { AppServices } from '../../services.js';
import { ModelVersion } from '../model-version/model-version.entity.js';
import type { Worker } from '../worker/worker.entity.js';
import { fairProjectOrder } from './run-fair-share.js';
import { CLAIM_LOCK_SQL, queuesForWorker } from './run-queue.js';
import { trainerSpec } from './run-spec.js';
import { RunAttempt } from './run-attempt.entity.js';
import { RunCheckpoint } from './run-checkpoint.entity.js';
import { RunUpload } from './run-upload.entity.js';
import type {
  ClaimedRun,
  CompleteRunInput,
  HeldRunInput,
  ReportRunEventsInput,
  RunLease,
} from './run-worker.inputs.js';
import { ACTIVE, FINISHED, Run, RunStatus } from './run.entity.js';
import { publishRun } from './run.service.js';
import { MetricQuotaError, NotHeldError, RunNotFoundError, storeEvents } from './run-events.store.js';

/** Trainer failures that would fail the same way again: no retry. */
const FINAL_REASONS = new Set(['invalid_spec', 'nan_loss', 'oom']);

const METRIC_KEY = /^[\w./-]{1,100}$/;
/** A metric event: its step, and values that are finite numbers or the explicit marker "NaN". */
const metricData = z.object({
  step: z.number().int().min(0, 'must be 0 or more'),
  values: z
    .record(
      z.string().regex(METRIC_KEY, 'metric keys are 1-100 letters, digits, _ . / -'),
      z.union([
        z.number().finite('must be a finite number (send the string "NaN" for not-a-number)'),
        z.literal('NaN'),
      ]),
    )
    .refine((v) => Object.keys(v).length <= 100, 'at most 100 values per event'),
});

const eventsSchema = z.object({
  runId: z.uuid('must be a run id'),
  attempt: z.number().int().min(1),
  events: z
    .array(
      z.object({
        seq: z.number().int().min(0, 'must be 0 or more'),
        time: z.iso.datetime({ message: 'must be an ISO 8601 time', offset: true }),
        event: z.enum(['status', 'log', 'metric', 'progress', 'checkpoint', 'completed', 'cancelled', 'failed'], {
          message: 'must be status, log, metric, progress, checkpoint, completed, cancelled or failed',
        }),
        data: z.record(z.string(), z.unknown()),
      }),
    )
    .max(1000, 'at most 1000 events per batch')
    .superRefine((events, check) => {
      events.forEach((e, i) => {
        if (e.event !== 'metric') return;
        const parsed = metricData.safeParse(e.data);
        for (const issue of parsed.error?.issues ?? [])
          check.addIssue({ code: 'custom', path: [i, 'data', ...issue.path], message: issue.message });
      });
    }),
});

const completeSchema = z.object({
  outcome: z.enum(
    ['SUCCEEDED', 'FAILED', 'CANCELLED', 'INTERRUPTED'],
    'must be SUCCEEDED, FAILED, CANCELLED or INTERRUPTED',
  ),
  reason: z.string().max(64).nullish(),
  message: z.string().max(10_000).nullish(),
  logTail: z.array(z.string().max(2000)).max(200).nullish(),
});

/**
 * What worker machines do with runs. Every write names the run and the attempt it claimed; a write
 * for an attempt that is no longer current (its lease lapsed and the run moved on) gets LEASE_LOST.
 */
export class RunWorkerService {
  constructor(
    private readonly ctx: Context,
    private readonly app: AppServices,
  ) {}

  /** The next queued run this worker can train, or null. */
  async claim(): Promise<ClaimedRun | null> {
    const worker = await this.ctx.services.workers.self();
    const { queue, config } = this.app;
    const claimed = await this.ctx.em.transactional(async (em) => {
      // One claim at a time, so the per-project limit counted below cannot be overtaken.
      await em.execute(CLAIM_LOCK_SQL);
      const busy = await em.execute<{ project_id: string }[]>(
        `select project_id from runs where status in ('STARTING', 'RUNNING') group by project_id having count(*) >= ?`,
        [config.RUN_PROJECT_CONCURRENCY],
      );
      const queues = queuesForWorker(worker.gpus.length);
      const busyProjects = busy.map((b) => b.project_id);
      const waiting = await fairProjectOrder(em, queues, busyProjects, config.RUN_FAIR_SHARE_WINDOW_SECONDS);
      for (;;) {
        const next = await queue.fetchNext(queues, busyProjects, waiting);
        if (!next) return null;
        const run = await em.findOne(Run, { id: next.job.data.runId }, { populate: ['datasetVersion.dataset'] });
        if (!run || FINISHED.includes(run.status)) {
          await queue.complete(next.queue, next.job.id, next.job.retryCount, { skipped: 'run ended' });
          continue;
        }
        const attempt = run.attemptBase + next.job.retryCount + 1;
        await this.closeOpenAttempts(em, run, 'LEASE_EXPIRED', 'the worker stopped renewing its lease');
        const checkpoint = await em.findOne(RunCheckpoint, { run }, { orderBy: { step: 'desc' } });
        Object.assign(run, {
          status: RunStatus.STARTING,
          attempt,
          jobId: next.job.id,
          worker,
          phase: `claimed by ${worker.name}`,
          startedAt: run.startedAt ?? new Date(),
        });
        em.persist(
          Object.assign(new RunAttempt(), {
            run,
            number: attempt,
            worker,
            workerName: worker.name,
            resumedFromStep: checkpoint?.step ?? null,
          }),
        );
        await em.flush();
        return { run, checkpoint };
      }
    });
    if (!claimed) return null;
    const { run, checkpoint } = claimed;
    publishRun(this.app.pubsub, run.id);
    const splits = run.datasetVersion.splits;
    return {
      runId: run.id,
      attempt: run.attempt,
      leaseSeconds: config.RUN_LEASE_SECONDS,
      spec: trainerSpec(run),
      trainRows: splits ? splits.train : run.datasetVersion.rowCount,
      validationRows: splits?.validation ?? 0,
      resumeFromStep: checkpoint?.step ?? null,
    };
  }

  /** Renews the leases of the runs the worker holds and says which to cancel or drop. */
  async renewLeases(worker: Worker, held: HeldRunInput[]): Promise<RunLease[]> {
    const leases: RunLease[] = [];
    for (const { runId, attempt } of held.slice(0, 16)) {
      const run = await this.ctx.em.findOne(Run, { id: runId });
      let valid = !!run && this.holds(run, worker, attempt);
      if (valid && run?.jobId) {
        valid = await this.app.queue.touch(run.queueName, run.jobId, attempt - run.attemptBase - 1);
      }
      leases.push({ runId, attempt, valid, cancelRequested: !!run?.cancelRequestedAt });
    }
    return leases;
  }

  private holds(run: Run, worker: Worker, attempt: number) {
    return run.worker?.id === worker.id && run.attempt === attempt && ACTIVE.includes(run.status);
  }

  /** The run, if this worker holds the named attempt; LEASE_LOST otherwise. `lockIn`: locked, in that transaction. */
  async held(runId: string, attempt: number, lockIn?: EntityManager): Promise<Run> {
    const worker = await this.ctx.services.workers.self();
    const id = validate(z.uuid('must be a run id'), runId, 'runId');
    const run = lockIn
      ? await lockIn.findOne(Run, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
      : await this.ctx.em.findOne(Run, { id });
    if (!run) throw notFound('Run');
    if (!this.holds(run, worker, attempt))
      throw new AppError(
        'LEASE_LOST',
        `attempt ${attempt} of this run is not held by this worker (current attempt ${run.attempt}, ${run.status})`,
      );
    return run;
  }

  /**
   * Stores a batch with plain SQL (the hot path: no ORM unless the batch changes the run's state);
   * the fencing check happens inside the storing transaction, under the run row lock.
   */
  async reportEvents(input: ReportRunEventsInput) {
    const data = validate(eventsSchema, input, 'input');
    const accountId = this.ctx.services.workers.selfAccountId();
    let result: Awaited<ReturnType<typeof storeEvents>>;
    try {
      result = await storeEvents(
        this.app.pool,
        data.runId,
        data.attempt,
        accountId,
        data.events,
        this.app.config.RUN_MAX_METRIC_POINTS,
        this.app,
      );
    } catch (error) {
      if (error instanceof MetricQuotaError) throw badInput('input.events', error.message);
      if (error instanceof RunNotFoundError) throw notFound('Run');
      if (error instanceof NotHeldError) throw new AppError('LEASE_LOST', error.message);
      throw error;
    }
    if (result.stateChanged) publishRun(this.app.pubsub, data.runId);
    return result;
  }

  /** Ends the attempt: success registers the model version; a crash is retried while tries remain. */
  async complete(input: CompleteRunInput): Promise<Run> {
    const data = validate(completeSchema, input, 'input');
    // The run row stays locked from the fencing check until the job and the row both say how the
    // attempt ended: the reconciler (which locks it too) never sees a settled job beside a run
    // still marked active, and a resent completion waits, then gets LEASE_LOST.
    const run = await this.ctx.em.transactional((em) => this.settle(em, data, input));
    publishRun(this.app.pubsub, run.id);
    return run;
  }

  private async settle(em: EntityManager, data: z.infer<typeof completeSchema>, input: CompleteRunInput) {
    const run = await this.held(input.runId, input.attempt, em);
    const { queue } = this.app;
    const retryCount = input.attempt - run.attemptBase - 1;
    const now = new Date();
    let retried = false;
    if (data.outcome === 'SUCCEEDED') {
      if (!input.model) throw new AppError('BAD_USER_INPUT', 'input.model: a succeeded run must name its model');
      await this.registerModel(em, run, input);
      run.status = RunStatus.SUCCEEDED;
      run.finalMetrics = numbers(input.finalMetrics ?? {});
      run.chatTemplate = input.chatTemplate ?? null;
      await queue.complete(run.queueName, run.jobId!, retryCount, { outcome: 'SUCCEEDED' });
    } else if (data.outcome === 'CANCELLED') {
      run.status = RunStatus.CANCELLED;
      await queue.complete(run.queueName, run.jobId!, retryCount, { outcome: 'CANCELLED' });
    } else {
      const reason = data.reason ?? 'error';
      const message = data.message ?? 'the trainer failed';
      const logTail = data.logTail ?? (await this.logTail(run));
      run.error = { reason, message, logTail };
      const triesLeft =
        (data.outcome === 'INTERRUPTED' || (retryCount + 1 < run.maxAttempts && !FINAL_REASONS.has(reason))) &&
        !run.cancelRequestedAt;
      if (triesLeft && data.outcome === 'INTERRUPTED') {
        // Not the run's fault: a new job (the try count starts again) resumes from the checkpoint.
        await queue.complete(run.queueName, run.jobId!, retryCount, { outcome: 'INTERRUPTED' });
        run.attemptBase = run.attempt;
        run.jobId = await queue.send(run.queueName, run.id, run.project.id, run.priority, run.maxAttempts);
        run.status = RunStatus.QUEUED;
        retried = true;
      } else if (triesLeft) {
        await queue.fail(run.queueName, run.jobId!, retryCount, { reason, message });
        run.status = RunStatus.QUEUED;
        retried = true;
      } else {
        await queue.complete(run.queueName, run.jobId!, retryCount, { outcome: 'FAILED', reason });
        run.status = RunStatus.FAILED;
      }
    }
    if (!retried) run.finishedAt = now;
    run.worker = null;
    run.phase = retried ? `attempt ${input.attempt} failed (${run.error?.reason}); queued for another try` : null;
    await this.closeOpenAttempts(em, run, data.outcome, data.outcome === 'SUCCEEDED' ? null : (data.message ?? null));
    await em.flush();
    return run;
  }

  private async registerModel(em: EntityManager, run: Run, input: CompleteRunInput) {
    const model = input.model!;
    // Only a model this attempt uploaded: artifacts are stored by content hash, and a hash another run
    // (or an earlier, fenced-off attempt of this one) uploaded must not become this run's model.
    const uploaded =
      /^[0-9a-f]{64}$/.test(model.artifact) &&
      (await em.count(RunUpload, { run, attempt: run.attempt, kind: 'model', artifact: model.artifact })) > 0;
    if (!uploaded || !(await this.app.artifacts.exists(model.artifact)))
      throw badInput('input.model.artifact', 'not uploaded for this run and attempt; PUT /worker/runs/:id/model first');
    if (model.kind !== 'lora_adapter' && model.kind !== 'full_model')
      throw new AppError('BAD_USER_INPUT', 'input.model.kind: must be lora_adapter or full_model');
    // Numbers are per project: completions in one project take them one at a time.
    await em.execute('select pg_advisory_xact_lock(hashtext(?), hashtext(?))', [
      'llm-trainer:model-number',
      run.project.id,
    ]);
    const [{ max }] = await em.execute<{ max: number | null }[]>(
      'select max(number) as max from model_versions where project_id = ?',
      [run.project.id],
    );
    em.persist(
      Object.assign(new ModelVersion(), {
        project: run.project,
        number: (max ?? 0) + 1,
        name: run.name,
        run,
        baseModelId: run.baseModelId,
        datasetVersion: run.datasetVersion,
        kind: model.kind,
        artifact: model.artifact,
        sizeBytes: await this.app.artifacts.size(model.artifact),
        files: model.files.slice(0, 1000),
        chatTemplate: input.chatTemplate ?? '',
        config: { method: run.method, objective: run.objective, ...run.config },
        metrics: numbers(input.finalMetrics ?? {}),
      }),
    );
  }

  private async closeOpenAttempts(em: EntityManager, run: Run, outcome: string, reason: string | null) {
    const open = await em.find(RunAttempt, { run, endedAt: null });
    for (const a of open) Object.assign(a, { endedAt: new Date(), outcome, reason });
  }

  private async logTail(run: Run): Promise<string[]> {
    const rows = await this.ctx.em
      .getConnection()
      .execute<{ line: string }[]>(
        `select coalesce(payload->>'message', '') as line from run_events where run_id = ? and kind in ('log', 'failed') order by id desc limit 20`,
        [run.id],
      );
    return rows.map((r) => r.line).reverse();
  }
}

const numbers = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<
    string,
    number
  >;
