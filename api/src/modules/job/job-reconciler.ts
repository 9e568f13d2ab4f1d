import { LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { AppPubSub } from '../../pubsub.js';
import type { AppMetrics } from '../../metrics.js';
import { enqueueInTransaction } from './job-enqueue.js';
import { ACTIVE, JobStatus, type JobHolder, type JobKindHandler, type JobKinds } from './job-kind.js';
import { CLAIM_LOCK_SQL, type JobQueue } from './job-queue.js';

/**
 * pg-boss's monitor takes a job back when its lease lapses (no touch within RUN_LEASE_SECONDS); this
 * loop makes the holder rows of every kind follow: the attempt ends as LEASE_EXPIRED and the job waits
 * in the queue again (or ends FAILED when no tries remain, or CANCELLED when a cancel was pending). It
 * also gives a queued holder whose queue job was lost a new one.
 *
 * With several API instances on one database, each pass runs under a PostgreSQL advisory lock
 * taken with try (never waited for): one instance reconciles at a time, the others skip that pass,
 * and when the holder dies its session ends and the next pass of another instance takes over.
 * (pg-boss's own monitor already runs once across instances; this loop is ours.)
 */
export function startJobReconciler(
  orm: MikroORM,
  queue: JobQueue,
  kinds: JobKinds,
  log: Logger,
  everySeconds: number,
  deps: { pool: pg.Pool; pubsub: AppPubSub; metrics: AppMetrics },
) {
  const { pool, pubsub, metrics } = deps;
  let stopped = false;
  let running: Promise<void> | null = null;
  const pass = async () => {
    for (const handler of kinds.all()) {
      const holders = await orm.em.fork().find(handler.entity, { status: { $in: [...ACTIVE] }, jobId: { $ne: null } });
      for (const candidate of holders) {
        // The common case, a live lease, costs one read and no lock.
        if (leaseHeld(candidate, await queue.job(candidate.queueName, candidate.jobId!))) continue;
        // A fresh fork per holder: the locked read must not be answered from an identity map.
        const lapsed = await orm.em.fork().transactional((tx) => settleLapsed(tx, queue, handler, candidate));
        if (!lapsed) continue;
        const { kind } = handler;
        log.warn({ kind, id: candidate.id, attempt: candidate.attempt, jobState: lapsed.jobState }, 'job lease lapsed');
        metrics.leaseLapses.inc();
        handler.publish({ pubsub }, candidate.id);
      }
      await requeueOrphans(orm, queue, handler, log, pubsub);
    }
  };
  const tick = async () => void (await asLeader(pool, pass));
  const timer = setInterval(() => {
    if (stopped || running) return;
    running = tick()
      .catch((err: unknown) => log.error({ err }, 'job reconciler failed'))
      .finally(() => (running = null));
  }, everySeconds * 1000);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}

/** Key of the reconciler's advisory lock (any constant shared by every instance of this release). */
export const RECONCILER_LOCK_KEY = 0x6c6c6d74_01;

/** Runs `work` only if no other session holds the reconciler's lock; true when it ran. */
export async function asLeader(pool: pg.Pool, work: () => Promise<void>): Promise<boolean> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [
      RECONCILER_LOCK_KEY,
    ]);
    if (!rows[0]?.ok) return false;
    try {
      await work();
      return true;
    } finally {
      await client.query('select pg_advisory_unlock($1)', [RECONCILER_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/** Job states from which pg-boss will never hand the job to a worker again. */
const SETTLED = ['completed', 'cancelled', 'failed'];

/**
 * A queued holder whose queue job is gone (deleted behind the system's back, or settled without the
 * row) would wait forever: it gets a new job. One query finds them; each is re-checked under its row
 * lock, so a claim or a completion in flight is never second-guessed.
 */
async function requeueOrphans(orm: MikroORM, queue: JobQueue, handler: JobKindHandler, log: Logger, pubsub: AppPubSub) {
  const orphans = await orm.em.fork().execute<{ id: string }[]>(
    `select r.id from ${handler.table} r left join pgboss.job j on j.name = r.queue_name and j.id = r.job_id
      where r.status = ? and (j.id is null or j.state::text in (?, ?, ?))`,
    [JobStatus.QUEUED, ...SETTLED],
  );
  for (const { id } of orphans) {
    const requeued = await orm.em.fork().transactional(async (em) => {
      // Claims take this lock too: none reads the row between the new job and its update.
      await em.execute(CLAIM_LOCK_SQL);
      const holder = await em.findOne(
        handler.entity,
        { id, status: JobStatus.QUEUED },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!holder) return false;
      const job = holder.jobId ? await queue.job(holder.queueName, holder.jobId) : null;
      if (job && !SETTLED.includes(job.state)) return false;
      // The new job counts its tries from 0; the attempt numbers go on from where they were.
      holder.attemptBase = holder.attempt;
      await enqueueInTransaction(em, queue, handler.kind, holder);
      holder.phase = 'queued again: its queue job was lost';
      return true;
    });
    if (!requeued) continue;
    log.warn({ kind: handler.kind, id }, 'queued job had lost its queue job; queued again');
    handler.publish({ pubsub }, id);
  }
}

/** The holder's current attempt still holds its job. */
function leaseHeld(holder: JobHolder, job: { state: string; retryCount: number } | null) {
  return !!job && job.state === 'active' && job.retryCount === holder.attempt - holder.attemptBase - 1;
}

/**
 * Moves one holder on if its job lapsed. The row is locked first and the job read after: a
 * completion holds that lock from its fencing check until the job and the row agree, so a job
 * settled by a completion in flight is never mistaken for a lapsed lease.
 */
async function settleLapsed(em: EntityManager, queue: JobQueue, handler: JobKindHandler, candidate: JobHolder) {
  const holder = await em.findOne(
    handler.entity,
    { id: candidate.id, attempt: candidate.attempt, status: { $in: [...ACTIVE] } },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!holder?.jobId) return null; // a completion or a new claim moved it on meanwhile
  const job = await queue.job(holder.queueName, holder.jobId);
  if (leaseHeld(holder, job)) return null;
  const cancelled = !!holder.cancelRequestedAt;
  const requeued = !cancelled && job && (job.state === 'retry' || job.state === 'created' || job.state === 'active');
  if (requeued) {
    holder.status = JobStatus.QUEUED;
    holder.phase = `worker lost at attempt ${holder.attempt}; queued for another try`;
  } else {
    holder.status = cancelled ? JobStatus.CANCELLED : JobStatus.FAILED;
    holder.finishedAt = new Date();
    holder.phase = null;
    holder.error = cancelled
      ? null
      : {
          reason: 'lease_expired',
          message: `the worker stopped renewing its lease and no tries remain (${holder.maxAttempts})`,
          logTail: [],
        };
    if (cancelled && job) await queue.cancel(holder.queueName, holder.jobId);
  }
  holder.worker = null;
  await handler.closeOpenAttempts(em, holder, 'LEASE_EXPIRED', 'the worker stopped renewing its lease');
  await em.flush();
  return { jobState: job?.state ?? null };
}
