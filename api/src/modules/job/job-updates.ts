import type { Context } from '../../context.js';
import { LiveAccess } from '../../graphql/live-access.js';
import type { Topics } from '../../pubsub.js';
import type { Permission } from '../role/permissions.js';
import { FINISHED, type JobHolder } from './job-kind.js';

/** The topics that announce a job holder's change: [id, payload]. */
type HolderTopic = 'RUN_UPDATED' | 'EVALUATION_UPDATED';

/**
 * A job holder as it is now, then again after every change until it ends. Listening starts before
 * the first read, so nothing between the read and the first event is missed. Access (session or token,
 * `permission`, membership through `access`) is checked on subscribe and again before updates.
 */
export async function* holderUpdates<H extends JobHolder>(
  ctx: Context,
  topic: HolderTopic,
  id: string,
  permission: Permission,
  access: (ctx: Context) => Promise<unknown>,
  load: (ctx: Context) => Promise<H>,
): AsyncGenerator<H> {
  const live = new LiveAccess(ctx, `${topic}:${id}`, permission, access);
  await live.assert();
  const events = ctx.pubsub.subscribe(topic, id as Topics[HolderTopic][0])[Symbol.asyncIterator]();
  const next = events.next();
  try {
    await ctx.pubsub.listening();
    let holder = await load(ctx);
    yield holder;
    if (FINISHED.includes(holder.status)) return;
    for (let result = await next; !result.done; result = await events.next()) {
      await live.assert();
      holder = await load(ctx);
      yield holder;
      if (FINISHED.includes(holder.status)) return;
    }
  } finally {
    await events.return?.();
  }
}
