import type { Context } from '../../context.js';
import { LiveAccess } from '../../graphql/live-access.js';
import { FINISHED, Run } from './run.entity.js';

/**
 * The run as it is now, then again after every change until it ends. Listening starts before the
 * first read, so nothing between the read and the first event is missed. Access (session or token,
 * run:read, membership) is checked on subscribe and again before updates (see LiveAccess).
 */
export async function* runUpdates(ctx: Context, runId: string): AsyncGenerator<Run> {
  const access = new LiveAccess(ctx, `run:${runId}`, 'run:read', (c) => c.services.runs.access(runId));
  await access.assert();
  const live = ctx.pubsub.subscribe('RUN_UPDATED', runId)[Symbol.asyncIterator]();
  const next = live.next();
  try {
    await ctx.pubsub.listening();
    let run = await ctx.em.fork().findOneOrFail(Run, { id: runId });
    yield run;
    if (FINISHED.includes(run.status)) return;
    for (let result = await next; !result.done; result = await live.next()) {
      await access.assert();
      run = await ctx.em.fork().findOneOrFail(Run, { id: runId });
      yield run;
      if (FINISHED.includes(run.status)) return;
    }
  } finally {
    await live.return?.();
  }
}
