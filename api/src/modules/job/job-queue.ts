import { PgBoss, type CommandResponse, type Db, type Job } from 'pg-boss';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { JobKind } from './job-kind.js';
import type { WaitingProject } from './job-fair-share.js';

/** What a queued job carries; everything else is read from its holder's row when it is claimed. */
export interface JobData {
  kind: JobKind;
  /** The holder's id (a run's, …). */
  id: string;
}

/**
 * Jobs wait in one queue per kind and resource class (CPU, 1/2/4/8/16 GPUs), so a worker fetches only
 * what it can run. Work the API instances do themselves (dataset processing) has its own class,
 * queue `jobs-api`, in api-jobs.ts. A kind's
 * queues are named by its prefix (training kept the names it had before other kinds existed).
 */
const GPU_CLASSES = [1, 2, 4, 8, 16] as const;
const PREFIX: Record<JobKind, string> = { [JobKind.TRAINING]: 'runs', [JobKind.EVALUATION]: 'evaluations' };
const cpuQueue = (kind: JobKind) => `${PREFIX[kind]}-cpu`;
const gpuQueue = (kind: JobKind, gpus: number) => `${PREFIX[kind]}-gpu-${gpus}`;
export const WORKER_QUEUES = Object.values(JobKind).flatMap((kind) => [
  cpuQueue(kind),
  ...GPU_CLASSES.map((c) => gpuQueue(kind, c)),
]);

/** Serialises claims (and whatever must not interleave with one) across API instances. */
export const CLAIM_LOCK_SQL = `select pg_advisory_xact_lock(hashtext('llm-trainer:job-claim'))`;

/** The queue a job needs: its kind's CPU queue, or the smallest GPU class holding its GPUs per node. */
export function queueFor(kind: JobKind, gpusPerNode: number): string {
  if (gpusPerNode === 0) return cpuQueue(kind);
  return gpuQueue(kind, GPU_CLASSES.find((c) => c >= gpusPerNode) ?? GPU_CLASSES.at(-1)!);
}

/**
 * Queues a worker with `gpus` GPUs serves for the kinds it runs: biggest class first so multi-GPU jobs
 * are not starved, the kinds in the worker's order within a class.
 */
export function queuesForWorker(gpus: number, kinds: readonly JobKind[]): string[] {
  const fitting = GPU_CLASSES.filter((c) => c <= gpus).reverse();
  return [...fitting.flatMap((c) => kinds.map((k) => gpuQueue(k, c))), ...kinds.map(cpuQueue)];
}

/** pg-boss returns `{affected}`; its type declaration leaves the fields out. */
const affected = (r: CommandResponse) => ((r as { affected?: number }).affected ?? 0) > 0;

/**
 * The job queue, on pg-boss in the platform's own PostgreSQL (schema `pgboss`). pg-boss gives
 * priorities (used inside a project only: see fetchNext), per-group (project) concurrency, retries with
 * a limit, and leases: a claimed job must be `touch`ed within RUN_LEASE_SECONDS or pg-boss's monitor
 * fails it back to the queue. Every call that settles or renews names the attempt (`retryCount`) it
 * is about, so a stale worker cannot settle a job that moved on.
 */
export class JobQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly config: Config,
  ) {}

  static async start(databaseUrl: string, config: Config, log: Logger): Promise<JobQueue> {
    const boss = new PgBoss({
      connectionString: databaseUrl,
      schema: 'pgboss',
      max: 4,
      monitorIntervalSeconds: config.RUN_QUEUE_MONITOR_SECONDS,
      superviseIntervalSeconds: config.RUN_QUEUE_MONITOR_SECONDS,
      // Cron and scheduling are not used; the instance registry would only add write traffic.
      schedule: false,
    });
    boss.on('error', (err) => log.error({ err }, 'job queue error'));
    await boss.start();
    for (const name of WORKER_QUEUES) {
      if (!(await boss.getQueue(name))) await boss.createQueue(name);
    }
    return new JobQueue(boss, config);
  }

  async stop() {
    await this.boss.stop({ graceful: true, timeout: 5000 });
  }

  /**
   * Queues a job; `retryLimit` counts tries after the first (lease expiry and crashes alike). With
   * `db`, the job is inserted in the caller's transaction: it exists exactly when its row does.
   */
  async send(
    queue: string,
    data: JobData,
    opts: { projectId: string; priority: number; maxAttempts: number },
    db?: Db,
  ) {
    const { projectId, priority, maxAttempts } = opts;
    const id = await this.boss.send(queue, data, {
      ...(db ? { db } : {}),
      priority,
      group: { id: projectId },
      retryLimit: maxAttempts - 1,
      retryDelay: this.config.RUN_RETRY_DELAY_SECONDS,
      heartbeatSeconds: this.config.RUN_LEASE_SECONDS,
      // pg-boss's cap; a longer job loses its attempt at 24 h (a run resumes from its last checkpoint).
      expireInSeconds: 24 * 3600,
    });
    if (!id) throw new Error(`the queue refused the ${data.kind} job`);
    return id;
  }

  /**
   * The next job a worker may take from `queues`, skipping projects at their concurrency limit
   * (`busyProjects`, counted over all queues by the caller) and capping each project per queue.
   * `waiting` (see job-fair-share.ts) says which project goes first in each queue: pg-boss is asked
   * for that project's best job alone (by priority, then age, inside the project), so priorities never
   * compete across projects. A last plain fetch per queue picks up any job `waiting` did not list.
   */
  async fetchNext(
    queues: string[],
    busyProjects: string[],
    waiting: WaitingProject[] = [],
  ): Promise<{ queue: string; job: Job<JobData> } | null> {
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
    const [job] = await this.boss.fetch<JobData>(queue, {
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
    return this.boss.getJobById<JobData>(queue, jobId);
  }
}
