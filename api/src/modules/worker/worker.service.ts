import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { conflict, forbidden, notFound, unauthenticated } from '../../errors.js';
import { paginate, type PageArgs } from '../../graphql/pagination.js';
import { validate } from '../../graphql/validate.js';
import type { AppServices } from '../../services.js';
import { ApiToken } from '../api-token/api-token.entity.js';
import { API_TOKEN_PREFIX, newOpaqueToken, sha256 } from '../auth/tokens.js';
import { Role } from '../role/role.entity.js';
import { User } from '../user/user.entity.js';
import { JobKind } from '../job/job-kind.js';
import type { HeldJobInput } from '../job/job-worker.inputs.js';
import type { CreatedWorkerToken, RegisterWorkerInput, WorkerHeartbeat, WorkerPoolSummary } from './worker.inputs.js';
import { Worker } from './worker.entity.js';

/** A worker is online while its heartbeats are this fresh. */
export const ONLINE_WITHIN_MS = 30_000;

const nameRule = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 lowercase letters, digits or dashes');
const registerSchema = z.object({
  hostname: z.string().trim().min(1, 'must not be empty').max(255),
  gpus: z
    .array(
      z.object({ index: z.number().int().min(0), name: z.string().min(1).max(100), memoryMb: z.number().int().min(0) }),
    )
    .max(64, 'at most 64 GPUs'),
  cpuCount: z.number().int().min(1, 'must be at least 1').max(4096),
  memoryMb: z.number().int().min(1, 'must be at least 1'),
  agentVersion: z.string().trim().min(1).max(64),
});

const finite = z.number().finite();
const systemSchema = z.object({
  cpuPercent: finite.min(0).max(100_000),
  memoryUsedMb: finite.min(0),
  memoryTotalMb: finite.min(0),
  diskUsedGb: finite.min(0),
  diskTotalGb: finite.min(0),
  gpus: z
    .array(
      z.object({
        index: z.number().int().min(0).max(63),
        utilization: finite.min(0).max(100),
        memoryUsedMb: finite.min(0),
        memoryTotalMb: finite.min(0),
        temperatureC: finite.nullable(),
        powerW: finite.nullable(),
      }),
    )
    .max(64),
});
type SystemSample = z.infer<typeof systemSchema>;

/** One sample as run_system_metrics rows for each run the worker trains (keys like gpu0.utilization). */
async function storeSystemSample(pool: pg.Pool, runIds: string[], time: Date, s: SystemSample) {
  const values: Record<string, number | null> = {
    'cpu.percent': s.cpuPercent,
    'memory.used_mb': s.memoryUsedMb,
    'memory.total_mb': s.memoryTotalMb,
    'disk.used_gb': s.diskUsedGb,
  };
  for (const g of s.gpus) {
    values[`gpu${g.index}.utilization`] = g.utilization;
    values[`gpu${g.index}.memory_used_mb`] = g.memoryUsedMb;
    values[`gpu${g.index}.memory_total_mb`] = g.memoryTotalMb;
    values[`gpu${g.index}.temperature_c`] = g.temperatureC;
    values[`gpu${g.index}.power_w`] = g.powerW;
  }
  const entries = Object.entries(values).filter((e): e is [string, number] => e[1] !== null);
  for (const runId of runIds) {
    await pool.query(
      `insert into run_system_metrics (run_id, key, time, value)
       select $1, k, $2, v from unnest($3::text[], $4::float8[]) as m(k, v) on conflict do nothing`,
      [runId, time, entries.map((e) => e[0]), entries.map((e) => e[1])],
    );
  }
}

export class WorkerService {
  constructor(
    private readonly ctx: Context,
    private readonly app: AppServices,
  ) {}

  list(page: PageArgs) {
    return paginate(this.ctx.em, Worker, { revokedAt: null }, { name: 'asc' }, page);
  }

  /** Creates the worker, its service account (role WORKER) and its token, shown once. */
  async createToken(name: string): Promise<CreatedWorkerToken> {
    const workerName = validate(nameRule, name, 'name');
    const em = this.ctx.em;
    if (await em.count(Worker, { name: workerName })) throw conflict('name', `A worker named ${workerName} exists`);
    const account = Object.assign(new User(), {
      email: `${workerName}@workers.llm-trainer.invalid`,
      displayName: `Worker ${workerName}`,
      // No one can sign in as a worker: the password is random and never shown.
      passwordHash: await this.app.hasher.hash(randomBytes(32).toString('base64url')),
    });
    account.roles.add(await em.findOneOrFail(Role, { name: 'WORKER' }));
    const secret = newOpaqueToken(API_TOKEN_PREFIX);
    const token = Object.assign(new ApiToken(), {
      user: account,
      name: `worker ${workerName}`,
      prefix: secret.slice(0, API_TOKEN_PREFIX.length + 6),
      tokenHash: sha256(secret),
      scopes: ['worker:run'],
    });
    const worker = Object.assign(new Worker(), { name: workerName, account });
    em.persist([account, token, worker]);
    this.ctx.services.audit.record({
      action: 'worker.create',
      targetType: 'worker',
      targetId: worker.id,
      details: { name: workerName },
    });
    await em.flush();
    this.app.pubsub.publish('WORKER_UPDATED', { workerId: worker.id });
    return { token: secret, worker };
  }

  /** Stops the worker's token at once (its service account is disabled). */
  async revoke(id: string): Promise<Worker> {
    const worker = await this.ctx.em.findOne(
      Worker,
      { id: validate(z.uuid('must be a worker id'), id, 'id') },
      { populate: ['account'] },
    );
    if (!worker) throw notFound('Worker');
    worker.revokedAt ??= new Date();
    worker.account.disabledAt ??= new Date();
    this.ctx.services.audit.record({ action: 'worker.revoke', targetType: 'worker', targetId: worker.id });
    await this.ctx.em.flush();
    this.app.pubsub.publish('WORKER_UPDATED', { workerId: worker.id });
    return worker;
  }

  /** The worker behind the calling token. */
  async self(): Promise<Worker> {
    const viewer = this.ctx.viewer;
    if (!viewer) throw unauthenticated();
    if (!viewer.isWorker) throw forbidden('Only worker tokens can call worker operations');
    const worker = await this.ctx.em.findOne(Worker, { account: viewer.user.id, revokedAt: null });
    if (!worker) throw notFound('Worker for this token');
    return worker;
  }

  /**
   * The calling worker's account, without a query: the event ingest path resolves the worker inside
   * its one storing statement.
   */
  selfAccountId(): string {
    const viewer = this.ctx.viewer;
    if (!viewer) throw unauthenticated();
    if (!viewer.isWorker) throw forbidden('Only worker tokens can call worker operations');
    return viewer.user.id;
  }

  /** What the registered workers can run, for run validation. */
  async pool(): Promise<{ maxGpus: number } | null> {
    const workers = await this.ctx.em.find(Worker, { revokedAt: null, registeredAt: { $ne: null } });
    return workers.length ? { maxGpus: Math.max(...workers.map((w) => w.gpus.length)) } : null;
  }

  /** The pool in counts, for anyone signed in: what a planned run can ask for. */
  async summary(): Promise<WorkerPoolSummary> {
    const workers = await this.ctx.em.find(Worker, { revokedAt: null, registeredAt: { $ne: null } });
    const maxGpus = workers.length ? Math.max(...workers.map((w) => w.gpus.length)) : null;
    const since = Date.now() - ONLINE_WITHIN_MS;
    return {
      registered: workers.length,
      online: workers.filter((w) => (w.lastHeartbeatAt?.getTime() ?? 0) > since).length,
      maxGpus,
      cpuOnly: maxGpus === 0,
    };
  }

  async register(input: RegisterWorkerInput): Promise<Worker> {
    const data = validate(registerSchema, input);
    const worker = await this.self();
    Object.assign(worker, data, { registeredAt: new Date(), lastHeartbeatAt: new Date() });
    await this.ctx.em.flush();
    this.app.pubsub.publish('WORKER_UPDATED', { workerId: worker.id });
    return worker;
  }

  /** I am alive; renews the leases of the jobs the worker holds and records its machine sample. */
  async heartbeat(jobs: HeldJobInput[] = [], systemInput: unknown = null): Promise<WorkerHeartbeat> {
    const system = systemInput === null ? null : validate(systemSchema, systemInput, 'system');
    const worker = await this.self();
    const receivedAt = new Date();
    await this.ctx.em.nativeUpdate(
      Worker,
      { id: worker.id },
      { lastHeartbeatAt: receivedAt, ...(system ? { system } : {}) },
    );
    const leases = await this.ctx.services.jobWorker.renewLeases(worker, jobs);
    for (const lease of leases) this.app.metrics.leaseRenewals.inc({ result: lease.valid ? 'renewed' : 'refused' });
    if (system) {
      // Machine charts are drawn for runs: the sample is kept per training job held.
      const held = leases.filter((l) => l.valid && l.kind === JobKind.TRAINING).map((l) => l.id);
      if (held.length) await storeSystemSample(this.app.pool, held, receivedAt, system);
    }
    this.app.pubsub.publish('WORKER_UPDATED', { workerId: worker.id });
    return { workerId: worker.id, receivedAt, leases };
  }
}
