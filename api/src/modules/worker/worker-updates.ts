import type { Context } from '../../context.js';
import { LiveAccess } from '../../graphql/live-access.js';
import { RESUMED } from '../../pubsub.js';
import { Worker } from './worker.entity.js';

/**
 * First every worker as it is now (up to 200, maybe none), then each change of any worker (heartbeat,
 * registration, revocation) as a list of one, re-read so the payload is current; every worker again
 * after a Redis outage (RESUMED). For the admins' workers page.
 */
export async function* workerUpdates(ctx: Context): AsyncGenerator<Worker[]> {
  const access = new LiveAccess(ctx, 'workers', 'worker:manage', async () => undefined);
  const live = ctx.pubsub.subscribe('WORKER_UPDATED')[Symbol.asyncIterator]();
  const next = live.next();
  const all = () => ctx.em.fork().find(Worker, { revokedAt: null }, { orderBy: { name: 'asc' }, limit: 200 });
  try {
    await ctx.pubsub.listening();
    yield await all();
    for (let result = await next; !result.done; result = await live.next()) {
      await access.assert();
      // After a Redis outage the changes announced meanwhile are lost: every worker again, as now.
      if (result.value === RESUMED) {
        yield await all();
        continue;
      }
      const worker = await ctx.em.fork().findOne(Worker, { id: result.value.workerId });
      if (worker) yield [worker];
    }
  } finally {
    await live.return?.();
  }
}
