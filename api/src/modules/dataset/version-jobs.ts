import type { Context } from '../../context.js';
import { AppError } from '../../errors.js';
import { pubSub } from '../../pubsub.js';
import { DatasetVersion, DatasetVersionStatus } from './dataset-version.entity.js';
import type { Dataset } from './dataset.entity.js';

/** Background version jobs in this process, so shutdown can wait for them. */
export const runningVersionJobs = new Map<string, Promise<void>>();

/** What a finished job writes onto its version. */
export type VersionResult = Partial<
  Pick<DatasetVersion, 'contentHash' | 'rowCount' | 'schemaKind' | 'validation' | 'stats' | 'splits' | 'recipe'>
>;

export type ProgressReporter = (rowsProcessed: number) => void;

/**
 * The one way versions are made: record a PROCESSING version (next number, author, message, recipe,
 * audit) in a transaction, then run `work` in the background, publishing progress and ending READY
 * with its result or FAILED with a reason a user can act on.
 */
export async function createVersionWithJob(
  ctx: Context,
  dataset: Dataset,
  fields: Pick<DatasetVersion, 'message' | 'recipe'> & Partial<Pick<DatasetVersion, 'parentIds' | 'schemaKind'>>,
  work: (progress: ProgressReporter) => Promise<VersionResult>,
): Promise<DatasetVersion> {
  const version = await ctx.em.transactional(async (em) => {
    const last = await em.findOne(DatasetVersion, { dataset: dataset.id }, { orderBy: { number: 'desc' } });
    const v = Object.assign(new DatasetVersion(), {
      dataset,
      number: (last?.number ?? 0) + 1,
      authorId: ctx.viewer!.user.id,
      ...fields,
    });
    em.persist(v);
    ctx.services.audit.record(
      {
        action: 'dataset.version.create',
        targetType: 'datasetVersion',
        targetId: v.id,
        details: { datasetId: dataset.id, parents: v.parentIds },
      },
      em,
    );
    return v;
  });
  const publish = (status: DatasetVersionStatus, rowsProcessed: number, message: string | null = null) =>
    pubSub.publish('DATASET_VERSION_PROGRESS', version.id, { versionId: version.id, status, rowsProcessed, message });
  const em = ctx.em.fork();
  const job = (async () => {
    try {
      publish(DatasetVersionStatus.PROCESSING, 0);
      const result = await work((rows) => publish(DatasetVersionStatus.PROCESSING, rows));
      await em.nativeUpdate(DatasetVersion, { id: version.id }, {
        ...result,
        status: DatasetVersionStatus.READY,
      } as never);
      publish(DatasetVersionStatus.READY, result.rowCount ?? 0);
    } catch (error) {
      const reason = error instanceof AppError ? error.message : 'Processing failed unexpectedly; see the server log';
      if (!(error instanceof AppError))
        ctx.log.error({ err: error, versionId: version.id }, 'dataset version job failed');
      await em.nativeUpdate(DatasetVersion, { id: version.id }, { status: DatasetVersionStatus.FAILED, error: reason });
      publish(DatasetVersionStatus.FAILED, 0, reason);
    }
  })();
  runningVersionJobs.set(version.id, job);
  void job.finally(() => runningVersionJobs.delete(version.id));
  return version;
}
