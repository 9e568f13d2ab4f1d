import type { Context } from '../../context.js';
import { pubSub } from '../../pubsub.js';
import { FINISHED, Run } from './run.entity.js';

/**
 * The run as it is now, then again after every change until it ends. Listening starts before the
 * first read, so nothing between the read and the first event is missed. Access is checked on
 * subscribe and again (membership can be revoked) before each update.
 */
export async function* runUpdates(ctx: Context, runId: string): AsyncGenerator<Run> {
  await ctx.services.runs.access(runId);
  const live = pubSub.subscribe('RUN_UPDATED', runId)[Symbol.asyncIterator]();
  const next = live.next();
  try {
    let run = await ctx.em.fork().findOneOrFail(Run, { id: runId });
    yield run;
    if (FINISHED.includes(run.status)) return;
    for (let result = await next; !result.done; result = await live.next()) {
      ctx.em.clear();
      run = await ctx.services.runs.access(runId);
      yield run;
      if (FINISHED.includes(run.status)) return;
    }
  } finally {
    await live.return?.();
  }
}
