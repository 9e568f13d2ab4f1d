import type { MikroORM } from '@mikro-orm/postgresql';
import express, { type Router } from 'express';

/** `/healthz`: the process answers. `/readyz`: the database answers and every migration is applied. */
export function healthRouter(orm: MikroORM): Router {
  const router = express.Router();
  let migrationsApplied = false;
  router.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  router.get('/readyz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1');
      if (!migrationsApplied) migrationsApplied = (await orm.migrator.getPending()).length === 0;
      if (!migrationsApplied) return void res.status(503).json({ status: 'migrations pending' });
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  return router;
}
