import type { Context } from '../../context.js';
import { AppError } from '../../errors.js';
import { DatasetVersion, DatasetVersionStatus } from './dataset-version.entity.js';
import type { Dataset } from './dataset.entity.js';
import type { AppServices } from '../../services.js';
import { checkProcessingJobs, checkStorage, lockQuotas } from '../quota/quota.js';

/** A row set no READY version uses (its own was refused) is deleted rather than left uncounted on disk. */
async function removeIfUnused(ctx: Context, app: AppServices, hash: string) {
  const users = await ctx.em.fork().count(DatasetVersion, { contentHash: hash, status: DatasetVersionStatus.READY });
  if (users === 0) await app.storage.rows.remove(hash);
}

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
  app: AppServices,
  dataset: Dataset,
  fields: Pick<DatasetVersion, 'message' | 'recipe'> & Partial<Pick<DatasetVersion, 'parentIds' | 'schemaKind'>>,
  work: (progress: ProgressReporter) => Promise<VersionResult>,
): Promise<DatasetVersion> {
  const who = { projectId: dataset.project.id, userId: ctx.viewer!.user.id };
  const version = await ctx.em.transactional(async (em) => {
    await lockQuotas(em, who);
    await checkProcessingJobs(em, ctx.config, who);
    await checkStorage(em, ctx.config, who, 0, 'A new version');
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
    ctx.pubsub.publish('DATASET_VERSION_PROGRESS', version.id, {
      versionId: version.id,
      status,
      rowsProcessed,
      message,
    });
  const em = ctx.em.fork();
  const job = (async () => {
    try {
      publish(DatasetVersionStatus.PROCESSING, 0);
      const result = await work((rows) => publish(DatasetVersionStatus.PROCESSING, rows));
      const sizeBytes = result.contentHash ? await app.storage.rows.size(result.contentHash) : 0;
      try {
        // Its size is known now: counted against the quotas, and recorded, under the same locks.
        await em.transactional(async (tx) => {
          await lockQuotas(tx, who);
          await checkStorage(tx, ctx.config, who, sizeBytes, `Version ${version.number}`);
          await tx.nativeUpdate(DatasetVersion, { id: version.id }, {
            ...result,
            sizeBytes,
            status: DatasetVersionStatus.READY,
          } as never);
        });
      } catch (error) {
        if (result.contentHash) await removeIfUnused(ctx, app, result.contentHash);
        throw error;
      }
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
