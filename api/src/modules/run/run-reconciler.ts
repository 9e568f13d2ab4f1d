import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { RunQueue } from './run-queue.js';
import { RunAttempt } from './run-attempt.entity.js';
import { ACTIVE, Run, RunStatus } from './run.entity.js';
import { publishRun } from './run.service.js';

/**
 * pg-boss's monitor takes a job back when its lease lapses (no touch within RUN_LEASE_SECONDS); this
 * loop makes the run rows follow: the attempt ends as LEASE_EXPIRED and the run waits in the queue
 * again (or ends FAILED when no tries remain, or CANCELLED when a cancel was pending).
 */
export function startRunReconciler(orm: MikroORM, queue: RunQueue, log: Logger, everySeconds: number) {
  let stopped = false;
  let running: Promise<void> | null = null;
  const tick = async () => {
    const em = orm.em.fork();
    const runs = await em.find(Run, { status: { $in: [...ACTIVE] }, jobId: { $ne: null } });
    for (const run of runs) {
      const job = await queue.job(run.queueName, run.jobId!);
      const retryCount = run.attempt - run.attemptBase - 1;
      const lapsed = !job || job.state !== 'active' || job.retryCount !== retryCount;
      if (!lapsed) continue;
      const cancelled = !!run.cancelRequestedAt;
      const requeued =
        !cancelled && job && (job.state === 'retry' || job.state === 'created' || job.state === 'active');
      const changes = requeued
        ? {
            status: RunStatus.QUEUED,
            phase: `worker lost at attempt ${run.attempt}; queued to resume from the last checkpoint`,
          }
        : {
            status: cancelled ? RunStatus.CANCELLED : RunStatus.FAILED,
            finishedAt: new Date(),
            phase: null,
            error: cancelled
              ? null
              : {
                  reason: 'lease_expired',
                  message: `the worker stopped renewing its lease and no tries remain (${run.maxAttempts})`,
                  logTail: [],
                },
          };
      // Only if no claim moved the run on meanwhile (the attempt is the fencing token here too).
      const updated = await em.nativeUpdate(
        Run,
        { id: run.id, attempt: run.attempt, status: { $in: [...ACTIVE] } },
        { ...changes, worker: null },
      );
      if (!updated) continue;
      log.warn({ runId: run.id, attempt: run.attempt, jobState: job?.state }, 'run lease lapsed');
      if (!requeued && cancelled && job) await queue.cancel(run.queueName, run.jobId!);
      await em.nativeUpdate(
        RunAttempt,
        { run: run.id, number: run.attempt, endedAt: null },
        { endedAt: new Date(), outcome: 'LEASE_EXPIRED', reason: 'the worker stopped renewing its lease' },
      );
      publishRun(run.id);
    }
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
