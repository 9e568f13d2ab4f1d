import { LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { CLAIM_LOCK_SQL, type RunQueue } from './run-queue.js';
import { RunAttempt } from './run-attempt.entity.js';
import { ACTIVE, Run, RunStatus } from './run.entity.js';
import { publishRun } from './run.service.js';

/**
 * pg-boss's monitor takes a job back when its lease lapses (no touch within RUN_LEASE_SECONDS); this
 * loop makes the run rows follow: the attempt ends as LEASE_EXPIRED and the run waits in the queue
 * again (or ends FAILED when no tries remain, or CANCELLED when a cancel was pending). It also gives a
 * queued run whose job was lost a new one.
 */
export function startRunReconciler(orm: MikroORM, queue: RunQueue, log: Logger, everySeconds: number) {
  let stopped = false;
  let running: Promise<void> | null = null;
  const tick = async () => {
    const runs = await orm.em.fork().find(Run, { status: { $in: [...ACTIVE] }, jobId: { $ne: null } });
    for (const candidate of runs) {
      // The common case, a live lease, costs one read and no lock.
      if (leaseHeld(candidate, await queue.job(candidate.queueName, candidate.jobId!))) continue;
      // A fresh fork per run: the locked read must not be answered from an identity map.
      const lapsed = await orm.em.fork().transactional((tx) => settleLapsed(tx, queue, candidate));
      if (!lapsed) continue;
      log.warn({ runId: candidate.id, attempt: candidate.attempt, jobState: lapsed.jobState }, 'run lease lapsed');
      publishRun(candidate.id);
    }
    await requeueOrphans(orm, queue, log);
  };
  const timer = setInterval(() => {
    if (stopped || running) return;
    running = tick()
      .catch((err: unknown) => log.error({ err }, 'run reconciler failed'))
      .finally(() => (running = null));
  }, everySeconds * 1000);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}

/** Job states from which pg-boss will never hand the job to a worker again. */
const SETTLED = ['completed', 'cancelled', 'failed'];

/**
 * A queued run whose queue job is gone (deleted behind the system's back, or settled without the
 * run) would wait forever: it gets a new job. One query finds them; each is re-checked under its row
 * lock, so a claim or a completion in flight is never second-guessed.
 */
async function requeueOrphans(orm: MikroORM, queue: RunQueue, log: Logger) {
  const orphans = await orm.em.fork().execute<{ id: string }[]>(
    `select r.id from runs r left join pgboss.job j on j.name = r.queue_name and j.id = r.job_id
      where r.status = ? and r.job_id is not null and (j.id is null or j.state::text in (?, ?, ?))`,
    [RunStatus.QUEUED, ...SETTLED],
  );
  for (const { id } of orphans) {
    const requeued = await orm.em.fork().transactional(async (em) => {
      // Claims take this lock too: none reads the run between the new job and its row's update.
      await em.execute(CLAIM_LOCK_SQL);
      const run = await em.findOne(Run, { id, status: RunStatus.QUEUED }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!run?.jobId) return false;
      const job = await queue.job(run.queueName, run.jobId);
      if (job && !SETTLED.includes(job.state)) return false;
      // The new job counts its tries from 0; the attempt numbers go on from where they were.
      run.attemptBase = run.attempt;
      run.jobId = await queue.send(run.queueName, run.id, run.project.id, run.priority, run.maxAttempts);
      run.phase = 'queued again: its queue job was lost';
      return true;
    });
    if (!requeued) continue;
    log.warn({ runId: id }, 'queued run had lost its queue job; queued again');
    publishRun(id);
  }
}

/** The run's current attempt still holds its job. */
function leaseHeld(run: Run, job: { state: string; retryCount: number } | null) {
  return !!job && job.state === 'active' && job.retryCount === run.attempt - run.attemptBase - 1;
}

/**
 * Moves one run on if its job lapsed. The run row is locked first and the job read after: a
 * completion holds that lock from its fencing check until the job and the row agree, so a job
 * settled by a completion in flight is never mistaken for a lapsed lease.
 */
async function settleLapsed(em: EntityManager, queue: RunQueue, candidate: Run) {
  const run = await em.findOne(
    Run,
    { id: candidate.id, attempt: candidate.attempt, status: { $in: [...ACTIVE] } },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!run?.jobId) return null; // a completion or a new claim moved it on meanwhile
  const job = await queue.job(run.queueName, run.jobId);
  if (leaseHeld(run, job)) return null;
  const cancelled = !!run.cancelRequestedAt;
  const requeued = !cancelled && job && (job.state === 'retry' || job.state === 'created' || job.state === 'active');
  if (requeued) {
    run.status = RunStatus.QUEUED;
    run.phase = `worker lost at attempt ${run.attempt}; queued to resume from the last checkpoint`;
  } else {
    run.status = cancelled ? RunStatus.CANCELLED : RunStatus.FAILED;
    run.finishedAt = new Date();
    run.phase = null;
    run.error = cancelled
      ? null
      : {
          reason: 'lease_expired',
          message: `the worker stopped renewing its lease and no tries remain (${run.maxAttempts})`,
          logTail: [],
        };
    if (cancelled && job) await queue.cancel(run.queueName, run.jobId);
  }
  run.worker = null;
  await em.nativeUpdate(
    RunAttempt,
    { run: run.id, number: run.attempt, endedAt: null },
    { endedAt: new Date(), outcome: 'LEASE_EXPIRED', reason: 'the worker stopped renewing its lease' },
  );
  return { jobState: job?.state ?? null };
}
