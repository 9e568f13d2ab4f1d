import type { EntityManager } from '@mikro-orm/postgresql';
import { PgBoss, type Db, type Job } from 'pg-boss';
import { transactionDb } from './job-enqueue.js';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';

/** The queue of work done inside the API (dataset-version processing); any instance takes from it. */
export const API_QUEUE = 'jobs-api';

/** What an API-side job carries: its kind, and ids naming rows; the work itself is read from the rows. */
export interface ApiJobData {
  kind: string;
  [field: string]: unknown;
}

export interface ApiJobContext {
  jobId: string;
  /** 0 on the first try, then 1, 2… (a crash or lapsed lease of an earlier try counts). */
  retryCount: number;
  /** Aborted when this instance no longer holds the job (lease lost, shutting down): stop, write nothing. */
  signal: AbortSignal;
}

export type ApiJobHandler = (data: ApiJobData, job: ApiJobContext) => Promise<void>;

export type ApiJobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

export interface ApiJobsOptions {
  /** Jobs this instance runs at once. */
  concurrency: number;
  /** The handler's lease: pg-boss renews it every half; a job not renewed this long is retried. */
  leaseSeconds: number;
  /** Tries per job, the first included. */
  maxAttempts: number;
  /** How often idle workers look for retried jobs (new ones wake them at once by NOTIFY). */
  pollSeconds: number;
  /** How long `stop` lets running handlers finish before abandoning them to a retry. */
  stopTimeoutMs: number;
}

/**
 * Work done by the API itself, queued in pg-boss (schema `pgboss`, queue `jobs-api`) and taken by
 * whichever instance is free: an instance that dies mid-job stops renewing its lease and another
 * instance retries the job. Handlers are registered by kind and must be idempotent (a retry may
 * follow work that was cut short, or even finished just before the crash).
 */
export class ApiJobs {
  private readonly handlers = new Map<string, ApiJobHandler>();
  private readonly running = new Set<Promise<unknown>>();
  private workerId: string | null = null;

  /** Takes a started PgBoss (shared with other queues) or, through `start`, its own. */
  constructor(
    private readonly boss: PgBoss,
    private readonly options: ApiJobsOptions,
    private readonly log: Logger,
    private readonly ownsBoss = false,
  ) {}

  static async start(databaseUrl: string, config: Config, log: Logger): Promise<ApiJobs> {
    const boss = new PgBoss({
      connectionString: databaseUrl,
      schema: 'pgboss',
      max: 3,
      monitorIntervalSeconds: config.RUN_QUEUE_MONITOR_SECONDS,
      superviseIntervalSeconds: config.RUN_QUEUE_MONITOR_SECONDS,
      schedule: false,
      // New jobs wake an idle worker at once instead of at its next poll.
      useListenNotify: true,
    });
    boss.on('error', (err) => log.error({ err }, 'API job queue error'));
    await boss.start();
    const options = {
      concurrency: config.API_JOB_CONCURRENCY,
      leaseSeconds: config.API_JOB_LEASE_SECONDS,
      maxAttempts: config.API_JOB_MAX_ATTEMPTS,
      pollSeconds: Math.max(1, config.RUN_QUEUE_MONITOR_SECONDS),
      stopTimeoutMs: 5000,
    };
    const jobs = new ApiJobs(boss, options, log, true);
    await jobs.createQueue();
    return jobs;
  }

  async createQueue() {
    if (!(await this.boss.getQueue(API_QUEUE))) await this.boss.createQueue(API_QUEUE, { notify: true });
  }

  /** Registers the handler of one kind of job (before `work`). */
  handle(kind: string, handler: ApiJobHandler) {
    this.handlers.set(kind, handler);
  }

  /** Starts taking jobs from the queue. */
  async work() {
    this.workerId = await this.boss.work<ApiJobData>(
      API_QUEUE,
      {
        localConcurrency: this.options.concurrency,
        pollingIntervalSeconds: this.options.pollSeconds,
        notifyPollingIntervalSeconds: this.options.pollSeconds,
      },
      async ([job]) => this.run(job),
    );
  }

  private async run(job: Job<ApiJobData>) {
    const handler = this.handlers.get(job.data.kind);
    if (!handler) throw new Error(`no handler for API job kind ${job.data.kind}`);
    const done = handler(job.data, { jobId: job.id, retryCount: job.retryCount, signal: job.signal });
    this.running.add(done);
    try {
      await done;
    } finally {
      this.running.delete(done);
    }
  }

  /**
   * Queues a job in the caller's transaction (`em` inside `em.transactional`). `id` makes sending
   * idempotent: a second job with the id of an existing one is not created (returns false).
   */
  async send(em: EntityManager, kind: string, data: Record<string, unknown>, options: { id: string }) {
    return this.sendVia(transactionDb(em), kind, data, options);
  }

  /** The same, outside any transaction (repairing a row whose job was lost). */
  async sendNow(kind: string, data: Record<string, unknown>, options: { id: string }) {
    return this.sendVia(undefined, kind, data, options);
  }

  private async sendVia(db: Db | undefined, kind: string, data: Record<string, unknown>, { id }: { id: string }) {
    const sent = await this.boss.send(API_QUEUE, { ...data, kind } satisfies ApiJobData, {
      id,
      db,
      retryLimit: this.options.maxAttempts - 1,
      retryDelay: 1,
      heartbeatSeconds: this.options.leaseSeconds,
      // pg-boss's cap; a handler still running then is abandoned and retried.
      expireInSeconds: 24 * 3600,
    });
    return sent !== null;
  }

  /** Deletes the job with this id, whatever its state (to send a fresh one under the same id). */
  async delete(id: string) {
    await this.boss.deleteJob(API_QUEUE, id);
  }

  /** The state of the job with this id, or null when there is none (never sent, or deleted). */
  async state(id: string): Promise<ApiJobState | null> {
    const [job] = await this.boss.findJobs(API_QUEUE, { id });
    return job?.state ?? null;
  }

  /**
   * Stops taking jobs, lets running handlers finish for `stopTimeoutMs`, then abandons the rest to a
   * retry (here after a restart, or on another instance) and waits briefly for them to notice.
   */
  async stop() {
    if (this.ownsBoss) await this.boss.stop({ graceful: true, timeout: this.options.stopTimeoutMs });
    else if (this.workerId) await this.boss.offWork(API_QUEUE, { id: this.workerId, wait: true });
    if (this.running.size) {
      this.log.info({ jobs: this.running.size }, 'abandoning API jobs to a retry');
      await Promise.race([Promise.allSettled(this.running), new Promise((r) => setTimeout(r, 2000).unref())]);
    }
  }
}
