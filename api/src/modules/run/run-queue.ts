import { PgBoss, type CommandResponse, type Job } from 'pg-boss';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { WaitingProject } from './run-fair-share.js';

/** What a queued job carries; everything else is read from the run row when it is claimed. */
export interface RunJobData {
  runId: string;
}

/** Runs wait in one queue per resource class, so a worker only fetches what it can run. */
const GPU_CLASSES = [1, 2, 4, 8, 16] as const;
export const CPU_QUEUE = 'runs-cpu';
const gpuQueue = (gpus: number) => `runs-gpu-${gpus}`;
export const ALL_QUEUES = [CPU_QUEUE, ...GPU_CLASSES.map(gpuQueue)];

/** Serialises claims (and whatever must not interleave with one) across API instances. */
export const CLAIM_LOCK_SQL = `select pg_advisory_xact_lock(hashtext('llm-trainer:run-claim'))`;

/** The queue a run needs: CPU, or the smallest GPU class holding its GPUs per node. */
export function queueFor(gpusPerNode: number): string {
  if (gpusPerNode === 0) return CPU_QUEUE;
  return gpuQueue(GPU_CLASSES.find((c) => c >= gpusPerNode) ?? GPU_CLASSES.at(-1)!);
}

/** Queues a worker with `gpus` GPUs can serve, biggest first so multi-GPU runs are not starved. */
export function queuesForWorker(gpus: number): string[] {
  const fitting = GPU_CLASSES.filter((c) => c <= gpus)
    .reverse()
    .map(gpuQueue);
  return [...fitting, CPU_QUEUE];
}

/** pg-boss returns `{affected}`; its type declaration leaves the fields out. */
const affected = (r: CommandResponse) => ((r as { affected?: number }).affected ?? 0) > 0;

/**
 * The training queue, on pg-boss in the platform's own PostgreSQL (schema `pgboss`). pg-boss gives
 * priorities (used inside a project only: see fetchNext), per-group (project) concurrency, retries with
 * a limit, and leases: a claimed job must be `touch`ed within RUN_LEASE_SECONDS or pg-boss's monitor
 * fails it back to the queue. Every call that settles or renews names the attempt (`retryCount`) it
 * is about, so a stale worker cannot settle a job that moved on.
 */
export class RunQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly config: Config,
  ) {}

  static async start(databaseUrl: string, config: Config, log: Logger): Promise<RunQueue> {
    const boss = new PgBoss({
      connectionString: databaseUrl,
      schema: 'pgboss',
      max: 4,
      monitorIntervalSeconds: config.RUN_QUEUE_MONITOR_SECONDS,
      superviseIntervalSeconds: config.RUN_QUEUE_MONITOR_SECONDS,
      // Cron and scheduling are not used; the instance registry would only add write traffic.
      schedule: false,
    });
    boss.on('error', (err) => log.error({ err }, 'run queue error'));
    await boss.start();
    for (const name of ALL_QUEUES) {
      if (!(await boss.getQueue(name))) await boss.createQueue(name);
    }
    return new RunQueue(boss, config);
  }

  async stop() {
    await this.boss.stop({ graceful: true, timeout: 5000 });
  }

  /** Queues a run; `retryLimit` counts tries after the first (lease expiry and crashes alike). */
  async send(queue: string, runId: string, projectId: string, priority: number, maxAttempts: number) {
    const id = await this.boss.send(queue, { runId } satisfies RunJobData, {
      priority,
      group: { id: projectId },
      retryLimit: maxAttempts - 1,
      retryDelay: this.config.RUN_RETRY_DELAY_SECONDS,
      heartbeatSeconds: this.config.RUN_LEASE_SECONDS,
      // pg-boss's cap; a longer run loses its attempt at 24 h and resumes from its last checkpoint.
      expireInSeconds: 24 * 3600,
    });
    if (!id) throw new Error('the queue refused the run');
    return id;
  }

  /**
   * The next job a worker may take from `queues`, skipping projects at their concurrency limit
   * (`busyProjects`, counted over all queues by the caller) and capping each project per queue.
   * `waiting` (see run-fair-share.ts) says which project goes first in each queue: pg-boss is asked
   * for that project's best job alone (by priority, then age, inside the project), so priorities never
   * compete across projects. A last plain fetch per queue picks up any job `waiting` did not list.
   */
  async fetchNext(
    queues: string[],
    busyProjects: string[],
    waiting: WaitingProject[] = [],
  ): Promise<{ queue: string; job: Job<RunJobData> } | null> {
    for (const queue of queues) {
      const projects = waiting.filter((w) => w.queue === queue).map((w) => w.projectId);
      for (const project of projects) {
        const job = await this.fetchOne(queue, [...busyProjects, ...projects.filter((p) => p !== project)]);
        if (job) return { queue, job };
      }
      const job = await this.fetchOne(queue, busyProjects);
      if (job) return { queue, job };
    }
    return null;
  }

  private async fetchOne(queue: string, ignoreGroups: string[]) {
    const [job] = await this.boss.fetch<RunJobData>(queue, {
      batchSize: 1,
      groupConcurrency: this.config.RUN_PROJECT_CONCURRENCY,
      ignoreGroups: ignoreGroups.length ? ignoreGroups : null,
    });
    return job ?? null;
  }

  /** Renews the lease of one attempt; false when it has lapsed (the job moved on). */
  async touch(queue: string, jobId: string, retryCount: number): Promise<boolean> {
    return affected(await this.boss.touch(queue, { id: jobId, retryCount }));
  }

  async complete(queue: string, jobId: string, retryCount: number, output: object) {
    return affected(await this.boss.complete(queue, { id: jobId, retryCount }, output));
  }

  /** Fails one attempt: pg-boss retries it while tries remain. */
  async fail(queue: string, jobId: string, retryCount: number, output: object) {
    return affected(await this.boss.fail(queue, { id: jobId, retryCount }, output));
  }

  async cancel(queue: string, jobId: string) {
    await this.boss.cancel(queue, jobId);
  }

  async job(queue: string, jobId: string) {
    return this.boss.getJobById<RunJobData>(queue, jobId);
  }
}
