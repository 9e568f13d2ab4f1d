import type { Context } from '../../context.js';
import { LiveAccess } from '../../graphql/live-access.js';
import type { DatasetVersionProgressEvent } from '../../pubsub.js';
import { DatasetVersion, DatasetVersionStatus } from './dataset-version.entity.js';

const finished = (status: string) => status !== DatasetVersionStatus.PROCESSING;

/**
 * The version's current state first, then live events until it is READY or FAILED. Listening starts
 * before the state is read, so a late subscriber misses nothing and sees the end even if it came first.
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
  try {
    await ctx.pubsub.listening();
    const current = await ctx.em.fork().findOneOrFail(DatasetVersion, { id: versionId });
    yield { versionId, status: current.status, rowsProcessed: current.rowCount, message: current.error };
    if (finished(current.status)) return;
    for (let result = await next; !result.done; result = await live.next()) {
      await access.assert();
      yield result.value;
      if (finished(result.value.status)) return;
    }
  } finally {
    await live.return?.();
  }
}
