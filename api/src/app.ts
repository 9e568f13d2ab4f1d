import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { migrate, openOrm } from './db/orm.js';
import { PasswordHasher } from './modules/auth/password.js';
import { AccessTokens, resolveJwtSecret } from './modules/auth/tokens.js';
import { Role } from './modules/role/role.entity.js';
import { syncBuiltInRoles } from './modules/role/role.service.js';
import { startVersionJobs } from './modules/dataset/version-jobs.js';
import { ApiJobs } from './modules/job/api-jobs.js';
import { User } from './modules/user/user.entity.js';
import type { AppServices } from './services.js';
import pg from 'pg';
import { JobKinds } from './modules/job/job-kind.js';
import { JobQueue } from './modules/job/job-queue.js';
import { startJobReconciler } from './modules/job/job-reconciler.js';
import { trainingJobs } from './modules/run/run-job.js';
import { evaluationJobs } from './modules/evaluation/evaluation-job.js';
import { storageFor } from './storage/storage.js';
import { createAppPubSub } from './pubsub.js';
import { AppMetrics } from './metrics.js';

export interface Runtime extends AppServices {
  database: DatabaseHandle;
  /** The administrator created on this start with a generated password: shown once, in the start banner. */
  generatedAdmin: { email: string; password: string } | null;
  /** Closes the pool, then stops the embedded database if we started it. */
  close(): Promise<void>;
}

/** Database (embedded or DATABASE_URL) → ORM → migrations → built-in roles → first administrator. */
export async function startRuntime(config: Config, log: Logger, onQuery?: (sql: string) => void): Promise<Runtime> {
  warnAboutConfig(config, log);
  const database = await openDatabase(config);
  try {
    const orm = await openOrm(database.url, config.DB_POOL_MAX, log, onQuery);
    const hasher = new PasswordHasher(config.PASSWORD_HASH_CONCURRENCY);
    let generatedAdmin: Runtime['generatedAdmin'] = null;
    if (config.RUN_MIGRATIONS) {
      ({ generatedAdmin } = await prepareDatabase(orm, config, hasher, log));
    } else await expectPreparedDatabase(orm, config, log);
    const queue = await JobQueue.start(database.url, config, log);
    const jobKinds = new JobKinds([trainingJobs, evaluationJobs]);
    const jobs = await ApiJobs.start(database.url, config, log);
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    // An idle connection the server ends (a restart, a shutdown) must not take the API down with it.
    pool.on('error', (err) => log.warn({ err }, 'an idle database connection was closed by the server'));
    const pubsub = createAppPubSub({ redisUrl: config.REDIS_URL, channelPrefix: config.REDIS_CHANNEL_PREFIX, log });
    const metrics = new AppMetrics(pool);
    const storage = storageFor(config);
    storage.sweep().then(
      (removed) => removed && log.info({ removed }, 'removed partial writes left by a stopped process'),
      (err) => log.warn({ err }, 'could not sweep partial writes'),
    );
    const stopReconciler = startJobReconciler(orm, queue, jobKinds, log, config.RUN_QUEUE_MONITOR_SECONDS, {
      pool,
      pubsub,
      metrics,
    });
    const runtime: Runtime = {
      config,
      log,
      orm,
      database,
      generatedAdmin,
      hasher,
      accessTokens: new AccessTokens(resolveJwtSecret(config), config),
      queue,
      jobKinds,
      jobs,
      pool,
      pubsub,
      metrics,
      storage,
      close: async () => {
        stopVersionJobs();
        await jobs.stop();
        await stopReconciler();
        await queue.stop();
        await pubsub.close();
        await pool.end();
        await orm.close();
        await database.stop();
      },
    };
    // Versions left PROCESSING by a stopped instance resume: their jobs are retried (or re-sent).
    const stopVersionJobs = await startVersionJobs(runtime);
    return runtime;
  } catch (error) {
    await database.stop();
    throw error;
  }
}

/**
 * Brings a database up to this release: migrations, built-in roles, the first administrator. The API
 * does it at start unless RUN_MIGRATIONS=false; `npm run db:migrate` (the cluster's migration Job)
 * always does it. Safe to repeat: each step does nothing when already done.
 */
export async function prepareDatabase(orm: MikroORM, config: Config, hasher: PasswordHasher, log: Logger) {
  const applied = await migrate(orm);
  if (applied.length) log.info({ applied }, 'migrations applied');
  await syncBuiltInRoles(orm.em.fork());
  await checkDefaultRole(orm.em.fork(), config);
  const generatedAdmin = await ensureAdmin(orm.em.fork(), config, hasher, log);
  return { applied, generatedAdmin };
}

/**
 * RUN_MIGRATIONS=false (replicas of a cluster): touch no schema. When migrations are pending the API
 * still starts, reports not ready on /health/ready until the migration Job has run, and skips the
 * start-up steps that need the tables; otherwise it runs them as usual.
 */
async function expectPreparedDatabase(orm: MikroORM, config: Config, log: Logger) {
  const pending = await orm.migrator.getPending();
  if (pending.length) {
    log.warn(
      { pending: pending.map((m) => m.name) },
      'RUN_MIGRATIONS=false and migrations are pending: not ready until they are applied (npm run db:migrate, the migration Job)',
    );
    return;
  }
  await checkDefaultRole(orm.em.fork(), config);
}

/**
 * On first start (no administrator yet), creates one from ADMIN_EMAIL/ADMIN_PASSWORD or a generated
 * password. An account someone already registered under that email is never promoted: whoever
 * registered it (perhaps before the operator) would become administrator with their own password.
 * Returns the credentials when the password was generated (main.ts prints them once, never into the log).
 */
async function ensureAdmin(em: Runtime['orm']['em'], config: Config, hasher: PasswordHasher, log: Logger) {
  const adminRole = await em.findOneOrFail(Role, { name: 'ADMIN' });
  if (await em.count(User, { roles: adminRole })) return null;
  const email = (config.ADMIN_EMAIL ?? 'admin@localhost.localdomain').toLowerCase();
  if (await em.count(User, { email })) {
    log.warn(
      { email },
      `no administrator exists, and ${email} is already registered by someone: it was NOT made administrator. ` +
        'Set ADMIN_EMAIL to an address with no account (and ADMIN_PASSWORD) and restart to create a fresh administrator; ' +
        'then check who registered the existing account.',
    );
    return null;
  }
  const generated = !config.ADMIN_PASSWORD;
  const password = config.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
  const user = Object.assign(new User(), {
    email,
    displayName: 'Administrator',
    passwordHash: await hasher.hash(password),
  });
  user.roles.add(adminRole);
  await em.persist(user).flush();
  log.info({ email }, 'administrator created');
  return generated ? { email, password } : null;
}

/** Settings that still work but deserve the operator's attention. */
function warnAboutConfig(config: Config, log: Logger) {
  if (config.ALLOW_REGISTRATION !== undefined)
    log.warn('ALLOW_REGISTRATION is deprecated; use REGISTRATION=open|invite|closed');
  if (config.PLAYGROUND_ENABLED !== undefined) log.warn('PLAYGROUND_ENABLED is deprecated; use GRAPHQL_PLAYGROUND');
  if (config.REGISTRATION === 'open' && !config.demo)
    log.warn(
      { defaultRole: config.DEFAULT_ROLE },
      'REGISTRATION=open: anyone who reaches this server can create an account',
    );
}

/** DEFAULT_ROLE names a role that must exist (built-in or created by an admin) before anyone registers. */
async function checkDefaultRole(em: Runtime['orm']['em'], config: Config) {
  if (!(await em.count(Role, { name: config.DEFAULT_ROLE })))
    throw new Error(`DEFAULT_ROLE: no role named ${config.DEFAULT_ROLE}; create it first or use VIEWER or MEMBER`);
}
