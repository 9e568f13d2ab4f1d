import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { ApiTokenService } from './modules/api-token/api-token.service.js';
import { AuditService } from './modules/audit/audit.service.js';
import { AuthService } from './modules/auth/auth.service.js';
import { InviteService } from './modules/invite/invite.service.js';
import type { PasswordHasher } from './modules/auth/password.js';
import type { AccessTokens } from './modules/auth/tokens.js';
import { DatasetDeriveService } from './modules/dataset/dataset-derive.service.js';
import { DatasetService } from './modules/dataset/dataset.service.js';
import { ProjectService } from './modules/project/project.service.js';
import { RoleService } from './modules/role/role.service.js';
import { UserService } from './modules/user/user.service.js';
import { WorkerService } from './modules/worker/worker.service.js';
import { RunService } from './modules/run/run.service.js';
import { EvaluationService } from './modules/evaluation/evaluation.service.js';
import { JobWorkerService } from './modules/job/job-worker.service.js';
import type { JobKinds } from './modules/job/job-kind.js';
import type { JobQueue } from './modules/job/job-queue.js';
import type { ApiJobs } from './modules/job/api-jobs.js';
import { ModelVersionService } from './modules/model-version/model-version.service.js';
import type { Storage } from './storage/storage.js';
import type pg from 'pg';
import type { AppPubSub } from './pubsub.js';
import type { AppMetrics } from './metrics.js';

/** Process-wide singletons, created once at start. */
export interface AppServices {
  config: Config;
  log: Logger;
  orm: MikroORM;
  hasher: PasswordHasher;
  accessTokens: AccessTokens;
  /** The job queue (pg-boss): every kind of work, training first. */
  queue: JobQueue;
  /** The job kinds workers run (training, …), each a payload and an executor on the shared core. */
  jobKinds: JobKinds;
  /** Work done by API instances (dataset-version processing), queued in pg-boss. */
  jobs: ApiJobs;
  /** Stored files: dataset row sets, uploads, run artifacts (filesystem under DATA_DIR). */
  storage: Storage;
  /** A small node-postgres pool for bulk statements the ORM does not express (unnest, COPY). */
  pool: pg.Pool;
  /** Live events between instances (in process, or Redis with REDIS_URL); one per instance. */
  pubsub: AppPubSub;
  /** This instance's Prometheus registry and series (GET /metrics). */
  metrics: AppMetrics;
}

/** Per-request services, created on first use. */
export interface Services {
  audit: AuditService;
  auth: AuthService;
  invites: InviteService;
  users: UserService;
  roles: RoleService;
  apiTokens: ApiTokenService;
  projects: ProjectService;
  datasets: DatasetService;
  datasetDerive: DatasetDeriveService;
  workers: WorkerService;
  runs: RunService;
  evaluations: EvaluationService;
  jobWorker: JobWorkerService;
  modelVersions: ModelVersionService;
}

export function createServices(ctx: Context, app: AppServices): Services {
  const factories: { [K in keyof Services]: () => Services[K] } = {
    audit: () => new AuditService(ctx),
    auth: () => new AuthService(ctx, app),
    invites: () => new InviteService(ctx),
    users: () => new UserService(ctx, app),
    roles: () => new RoleService(ctx),
    apiTokens: () => new ApiTokenService(ctx),
    projects: () => new ProjectService(ctx),
    datasets: () => new DatasetService(ctx, app),
    datasetDerive: () => new DatasetDeriveService(ctx, app),
    workers: () => new WorkerService(ctx, app),
    runs: () => new RunService(ctx, app),
    evaluations: () => new EvaluationService(ctx, app),
    jobWorker: () => new JobWorkerService(ctx, app),
    modelVersions: () => new ModelVersionService(ctx),
  };
  const cache: Partial<Services> = {};
  return new Proxy(cache as Services, {
    get: (_target, key: keyof Services) => (cache[key] ??= factories[key]() as never),
  });
}
