import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { AppError, badInput, notFound } from '../../errors.js';
import { validate } from '../../graphql/validate.js';
import type { AppServices } from '../../services.js';
import type { Worker } from '../worker/worker.entity.js';
import { eventBatchSchema, HolderNotFoundError, MetricQuotaError, NotHeldError } from './job-events.js';
import { enqueueInTransaction } from './job-enqueue.js';
import { fairProjectOrder } from './job-fair-share.js';
import { ACTIVE, FINISHED, JobKind, JobStatus, type JobHolder, type JobKindHandler } from './job-kind.js';
import { CLAIM_LOCK_SQL, queuesForWorker } from './job-queue.js';
import type {
  CompleteJobInput,
  CompletedJob,
  HeldJobInput,
  JobLease,
  ReportJobEventsInput,
  WorkerCapabilitiesInput,
} from './job-worker.inputs.js';

const heldSchema = z.object({
  kind: z.enum(JobKind),
  id: z.uuid('must be an id'),
  attempt: z.number().int().min(1, 'must be 1 or more'),
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

/** At most this many held jobs are renewed per heartbeat (a worker runs one or a few at a time). */
const MAX_HELD = 16;

/**
 * What worker machines do with jobs of every kind: claim, renew, report, complete. Every write names
 * the job and the attempt it claimed; a write for an attempt that is no longer current (its lease
 * lapsed and the job moved on) gets LEASE_LOST.
 */
export class JobWorkerService {
  constructor(
    private readonly ctx: Context,
    private readonly app: AppServices,
  ) {}

  /** The next queued job this worker can run, as its kind's payload, or null. */
  async claim(capabilities: WorkerCapabilitiesInput): Promise<object | null> {
    const worker = await this.ctx.services.workers.self();
    const { queue, config, jobKinds } = this.app;
    const kinds = new Set(capabilities.kinds);
    if (!kinds.size) throw badInput('capabilities.kinds', 'name at least one job kind this worker runs');
    const claimed = await this.ctx.em.transactional(async (em) => {
      // One claim at a time, so the per-project limit counted below cannot be overtaken.
      await em.execute(CLAIM_LOCK_SQL);
      const busy = await em.execute<{ project_id: string }[]>(
        `select project_id from (${jobKinds.holdersSql()}) h where status in ('STARTING', 'RUNNING')
          group by project_id having count(*) >= ?`,
        [config.RUN_PROJECT_CONCURRENCY],
      );
      const queues = queuesForWorker(worker.gpus.length, [...kinds]);
      const busyProjects = busy.map((b) => b.project_id);
      const waiting = await fairProjectOrder(em, jobKinds, queues, busyProjects, config.RUN_FAIR_SHARE_WINDOW_SECONDS);
      for (;;) {
        const next = await queue.fetchNext(queues, busyProjects, waiting);
        if (!next) return null;
        const { kind, id } = next.job.data;
        const handler = jobKinds.get(kind);
        const holder = await em.findOne(handler.entity, { id }, { populate: (handler.populate ?? []) as never[] });
        if (!holder || FINISHED.includes(holder.status)) {
          await queue.complete(next.queue, next.job.id, next.job.retryCount, { skipped: 'ended' });
          continue;
        }
        await handler.closeOpenAttempts(em, holder, 'LEASE_EXPIRED', 'the worker stopped renewing its lease');
        Object.assign(holder, {
          status: JobStatus.STARTING,
          attempt: holder.attemptBase + next.job.retryCount + 1,
          jobId: next.job.id,
          worker,
          phase: `claimed by ${worker.name}`,
          startedAt: holder.startedAt ?? new Date(),
        });
        await handler.openAttempt(em, holder, worker);
        await em.flush();
        return { handler, payload: await handler.payload(em, holder, this.app) };
      }
    });
    if (!claimed) return null;
    const { handler, payload } = claimed;
    handler.publish(this.app, (payload as { id: string }).id);
    return payload;
  }

  /** Renews the leases of the jobs the worker holds and says which to cancel or drop. */
  async renewLeases(worker: Worker, held: HeldJobInput[]): Promise<JobLease[]> {
    const leases: JobLease[] = [];
    for (const input of held.slice(0, MAX_HELD)) {
      const { kind, id, attempt } = validate(heldSchema, input, 'jobs');
      const handler = this.app.jobKinds.get(kind);
      const holder = await this.ctx.em.findOne(handler.entity, { id });
      let valid = !!holder && holds(holder, worker, attempt);
      if (valid && holder?.jobId)
        valid = await this.app.queue.touch(holder.queueName, holder.jobId, attempt - holder.attemptBase - 1);
      leases.push({ kind, id, attempt, valid, cancelRequested: !!holder?.cancelRequestedAt });
    }
    return leases;
  }

  /** The holder, if this worker holds the named attempt; LEASE_LOST otherwise. `lockIn`: locked, in that transaction. */
  async held(job: HeldJobInput, lockIn?: EntityManager): Promise<{ holder: JobHolder; handler: JobKindHandler }> {
    const worker = await this.ctx.services.workers.self();
    const { kind, id, attempt } = validate(heldSchema, job, 'input.job');
    const handler = this.app.jobKinds.get(kind);
    const holder = lockIn
      ? await lockIn.findOne(handler.entity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
      : await this.ctx.em.findOne(handler.entity, { id });
    if (!holder) throw notFound(`${kind.toLowerCase()} job`);
    if (!holds(holder, worker, attempt))
      throw new AppError(
        'LEASE_LOST',
        `attempt ${attempt} of this job is not held by this worker (current attempt ${holder.attempt}, ${holder.status})`,
      );
    return { holder, handler };
  }

  /** Stores a batch through the kind's one-statement path; the fencing check happens inside it. */
  async reportEvents(input: ReportJobEventsInput) {
    const { kind, id, attempt } = validate(heldSchema, input.job, 'input.job');
    const events = validate(eventBatchSchema, input.events, 'input.events');
    const accountId = this.ctx.services.workers.selfAccountId();
    const handler = this.app.jobKinds.get(kind);
    let result: Awaited<ReturnType<JobKindHandler['storeEvents']>>;
    try {
      result = await handler.storeEvents(this.app, id, attempt, accountId, events);
    } catch (error) {
      if (error instanceof MetricQuotaError) throw badInput('input.events', error.message);
      if (error instanceof HolderNotFoundError) throw notFound(`${kind.toLowerCase()} job`);
      if (error instanceof NotHeldError) throw new AppError('LEASE_LOST', error.message);
      throw error;
    }
    if (result.stateChanged) handler.publish(this.app, id);
    return { stored: result.stored, cancelRequested: result.cancelRequested };
  }

  /** Ends the attempt: success runs the kind's part; a crash is retried while tries remain. */
  async complete(input: CompleteJobInput): Promise<CompletedJob> {
    const data = validate(completeSchema, input, 'input');
    // The holder's row stays locked from the fencing check until the job and the row both say how
    // the attempt ended: the reconciler (which locks it too) never sees a settled job beside a row
    // still marked active, and a resent completion waits, then gets LEASE_LOST.
    const { holder, handler } = await this.ctx.em.transactional(async (em) => {
      const held = await this.held(input.job, em);
      await this.settle(em, held.handler, held.holder, data, input);
      return held;
    });
    handler.publish(this.app, holder.id);
    return { kind: handler.kind, id: holder.id, attempt: input.job.attempt, status: holder.status };
  }

  private async settle(
    em: EntityManager,
    handler: JobKindHandler,
    holder: JobHolder,
    data: z.infer<typeof completeSchema>,
    input: CompleteJobInput,
  ) {
    const { queue } = this.app;
    const retryCount = input.job.attempt - holder.attemptBase - 1;
    const jobId = holder.jobId!;
    let retried = false;
    if (data.outcome === 'SUCCEEDED') {
      await handler.succeed(em, holder, resultOf(handler.kind, input), this.app);
      holder.status = JobStatus.SUCCEEDED;
      await queue.complete(holder.queueName, jobId, retryCount, { outcome: 'SUCCEEDED' });
    } else if (data.outcome === 'CANCELLED') {
      holder.status = JobStatus.CANCELLED;
      await queue.complete(holder.queueName, jobId, retryCount, { outcome: 'CANCELLED' });
    } else {
      const reason = data.reason ?? 'error';
      const message = data.message ?? 'the job failed';
      holder.error = { reason, message, logTail: data.logTail ?? (await handler.logTail(em, holder)) };
      const triesLeft =
        (data.outcome === 'INTERRUPTED' ||
          (retryCount + 1 < holder.maxAttempts && !handler.finalReasons.has(reason))) &&
        !holder.cancelRequestedAt;
      if (triesLeft && data.outcome === 'INTERRUPTED') {
        // Not the job's fault: a new queue job (the try count starts again) in this transaction.
        await queue.complete(holder.queueName, jobId, retryCount, { outcome: 'INTERRUPTED' });
        await this.requeue(em, handler, holder);
        retried = true;
      } else if (triesLeft) {
        await queue.fail(holder.queueName, jobId, retryCount, { reason, message });
        holder.status = JobStatus.QUEUED;
        retried = true;
      } else {
        await queue.complete(holder.queueName, jobId, retryCount, { outcome: 'FAILED', reason });
        holder.status = JobStatus.FAILED;
      }
    }
    if (!retried) holder.finishedAt = new Date();
    holder.worker = null;
    holder.phase = retried
      ? `attempt ${input.job.attempt} failed (${holder.error?.reason}); queued for another try`
      : null;
    await handler.closeOpenAttempts(
      em,
      holder,
      data.outcome,
      data.outcome === 'SUCCEEDED' ? null : (data.message ?? null),
    );
    await em.flush();
  }

  /** A fresh queue job for the holder, committed with the row's QUEUED state. */
  private async requeue(em: EntityManager, handler: JobKindHandler, holder: JobHolder) {
    holder.attemptBase = holder.attempt;
    holder.status = JobStatus.QUEUED;
    await enqueueInTransaction(em, this.app.queue, handler.kind, holder);
  }
}

/** The kind's result section of a completion (null when the worker sent none). */
function resultOf(kind: JobKind, input: CompleteJobInput): unknown {
  return { [JobKind.TRAINING]: input.training, [JobKind.EVALUATION]: input.evaluation }[kind] ?? null;
}

function holds(holder: JobHolder, worker: Worker, attempt: number) {
  return holder.worker?.id === worker.id && holder.attempt === attempt && ACTIVE.includes(holder.status);
}
