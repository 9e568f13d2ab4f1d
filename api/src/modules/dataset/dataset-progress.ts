import type { Context } from '../../context.js';
import { LiveAccess } from '../../graphql/live-access.js';
import { RESUMED, type DatasetVersionProgressEvent } from '../../pubsub.js';
import { DatasetVersion, DatasetVersionStatus } from './dataset-version.entity.js';

const finished = (status: string) => status !== DatasetVersionStatus.PROCESSING;

/**
 * The version's current state first, then live events until it is READY or FAILED. Listening starts
 * before the state is read, so a late subscriber misses nothing and sees the end even if it came first;
 * after a Redis outage (RESUMED) the state is read again.
 */
export async function* datasetVersionProgress(
  ctx: Context,
  versionId: string,
): AsyncGenerator<DatasetVersionProgressEvent> {
  const access = new LiveAccess(ctx, `datasetVersion:${versionId}`, 'dataset:read', (c) =>
    c.services.datasets.versionAccess(versionId),
  );
  await access.assert();
  const live = ctx.pubsub.subscribe('DATASET_VERSION_PROGRESS', versionId)[Symbol.asyncIterator]();
  const next = live.next(); // a Repeater listens from its first next()
  const read = async (): Promise<DatasetVersionProgressEvent> => {
    const current = await ctx.em.fork().findOneOrFail(DatasetVersion, { id: versionId });
    return { versionId, status: current.status, rowsProcessed: current.rowCount, message: current.error };
  };
  try {
    await ctx.pubsub.listening();
    const current = await read();
    yield current;
    if (finished(current.status)) return;
    for (let result = await next; !result.done; result = await live.next()) {
      await access.assert();
      // After a Redis outage the events published meanwhile are lost: the stored state stands for them.
      const event = result.value === RESUMED ? await read() : result.value;
      yield event;
      if (finished(event.status)) return;
    }
  } finally {
    await live.return?.();
  }
}
