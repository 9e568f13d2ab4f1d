import type { Context } from '../../context.js';
import { LiveAccess } from '../../graphql/live-access.js';
import { Worker } from './worker.entity.js';

/**
 * First every worker as it is now (up to 200, maybe none), then each change of any worker (heartbeat,
 * registration, revocation) as a list of one, re-read so the payload is current. For the admins'
 * workers page.
 */
export async function* workerUpdates(ctx: Context): AsyncGenerator<Worker[]> {
  const access = new LiveAccess(ctx, 'workers', 'worker:manage', async () => undefined);
  const live = ctx.pubsub.subscribe('WORKER_UPDATED')[Symbol.asyncIterator]();
  const next = live.next();
  try {
    await ctx.pubsub.listening();
    const now = await ctx.em.fork().find(Worker, { revokedAt: null }, { orderBy: { name: 'asc' }, limit: 200 });
    yield now;
    for (let result = await next; !result.done; result = await live.next()) {
      await access.assert();
      const worker = await ctx.em.fork().findOne(Worker, { id: result.value.workerId });
      if (worker) yield [worker];
    }
  } finally {
    await live.return?.();
  }
}
