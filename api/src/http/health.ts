import type { MikroORM } from '@mikro-orm/postgresql';
import express, { type Router } from 'express';

/** One dependency readiness waits for; throws (or rejects) when it is not usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface HealthOptions {
  /** More dependencies to wait for (storage, Redis when configured): each must answer. */
  checks?: ReadinessCheck[];
}

/**
 * `/health/live` (alias `/healthz`): the process answers; a failure means restart it.
 * `/health/ready` (alias `/readyz`): the database answers, every migration is applied (with
 * RUN_MIGRATIONS=false a replica waits here for the migration Job) and every configured dependency
 * answers; a failure means send no traffic yet. The 503 body names what is missing.
 */
export function healthRouter(orm: MikroORM, options: HealthOptions = {}): Router {
  const router = express.Router();
  let migrationsApplied = false;
  const checks: ReadinessCheck[] = [
    {
      name: 'database',
      check: async () => {
        await orm.em.getConnection().execute('select 1');
      },
    },
    {
      name: 'migrations',
      check: async () => {
        if (!migrationsApplied) migrationsApplied = (await orm.migrator.getPending()).length === 0;
        if (!migrationsApplied) throw new Error('migrations pending');
      },
    },
    ...(options.checks ?? []),
  ];
  const live: express.RequestHandler = (_req, res) => void res.json({ status: 'ok' });
  const ready: express.RequestHandler = async (_req, res) => {
    const failed: string[] = [];
    for (const { name, check } of checks) {
      // The database first: when it is down the migrations check would only repeat that.
      if (name === 'migrations' && failed.includes('database')) continue;
      if (
        !(await check().then(
          () => true,
          () => false,
        ))
      )
        failed.push(name);
    }
    if (!failed.length) return void res.json({ status: 'ready' });
    res.status(503).json({ status: statusText(failed), failed });
  };
  router.get(['/health/live', '/healthz'], live);
  router.get(['/health/ready', '/readyz'], ready);
  return router;
}

/** Keeps the earlier `/readyz` wording for the common cases (scripts and people read it). */
function statusText(failed: string[]): string {
  if (failed.includes('database')) return 'database unreachable';
  if (failed.length === 1 && failed[0] === 'migrations') return 'migrations pending';
  return `not ready: ${failed.join(', ')}`;
}
