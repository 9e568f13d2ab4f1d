import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../context.js';
import { AppError } from '../../errors.js';
import type { AppServices } from '../../services.js';
import { checkProcessingJobs, checkStorage, lockQuotas } from '../quota/quota.js';
import { DatasetVersion, DatasetVersionStatus } from './dataset-version.entity.js';
import type { Dataset } from './dataset.entity.js';
import { executors, recipeKind } from './version-executors.js';

/** The API-side job kind that makes a version's rows; its data names the version, nothing more. */
export const VERSION_JOB = 'dataset-version';

/**
 * The one way versions are made: record a PROCESSING version (next number, author, message, recipe,
 * audit) and queue its job in the same transaction. Any API instance then makes its rows from what
 * the row says (`processVersion`), publishing progress and ending READY or FAILED.
 */
export async function createVersionWithJob(
  ctx: Context,
  app: AppServices,
  dataset: Dataset,
  fields: Pick<DatasetVersion, 'message' | 'recipe'> &
    Partial<Pick<DatasetVersion, 'parentIds' | 'schemaKind' | 'input'>>,
): Promise<DatasetVersion> {
  const who = { projectId: dataset.project.id, userId: ctx.viewer!.user.id };
  return ctx.em.transactional(async (em) => {
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
    await app.jobs.send(em, VERSION_JOB, { versionId: v.id }, { id: v.id });
    return v;
  });
}

function publisher(app: AppServices, versionId: string) {
  return (status: DatasetVersionStatus, rowsProcessed: number, message: string | null = null) =>
    app.pubsub.publish('DATASET_VERSION_PROGRESS', versionId, { versionId, status, rowsProcessed, message });
}

/** A row set no READY version uses (its own was refused) is deleted rather than left uncounted on disk. */
async function removeIfUnused(app: AppServices, em: EntityManager, hash: string) {
  const users = await em.count(DatasetVersion, { contentHash: hash, status: DatasetVersionStatus.READY });
  if (users === 0) await app.storage.rows.delete(hash);
}

/**
 * The job: makes the version's rows and ends it READY (counted against the storage quotas) or FAILED
 * with a reason the user can act on. Idempotent: a version no longer PROCESSING is left alone, and a
 * retry writes the same content-addressed rows again. When `signal` aborts (this instance lost the
 * job or is stopping) it throws without writing: the job is retried, here or elsewhere.
 */
export async function processVersion(app: AppServices, versionId: string, signal: AbortSignal): Promise<void> {
  const em = app.orm.em.fork();
  const started = await em.execute<{ id: string }[]>(
    `update dataset_versions set attempts = attempts + 1 where id = ? and status = 'PROCESSING' returning id`,
    [versionId],
  );
  if (!started.length) return;
  const version = await em.findOneOrFail(DatasetVersion, { id: versionId }, { populate: ['dataset'] });
  const who = { projectId: version.dataset.project.id, userId: version.authorId };
  const publish = publisher(app, versionId);
  const still = { status: DatasetVersionStatus.PROCESSING, id: versionId };
  try {
    publish(DatasetVersionStatus.PROCESSING, 0);
    const kind = recipeKind(version.recipe);
    if (!kind) throw new Error(`version ${versionId} has a recipe of no known kind`);
    const result = await executors[kind](app, em, version, (rows) => {
      signal.throwIfAborted();
      publish(DatasetVersionStatus.PROCESSING, rows);
    });
    signal.throwIfAborted();
    const sizeBytes = result.contentHash ? await app.storage.rows.size(result.contentHash) : 0;
    try {
      // Its size is known now: counted against the quotas, and recorded, under the same locks.
      await em.transactional(async (tx) => {
        await lockQuotas(tx, who);
        await checkStorage(tx, app.config, who, sizeBytes, `Version ${version.number}`);
        const update = { ...result, sizeBytes, input: null, status: DatasetVersionStatus.READY };
        await tx.nativeUpdate(DatasetVersion, still, update as never);
      });
    } catch (error) {
      if (result.contentHash) await removeIfUnused(app, em, result.contentHash);
      throw error;
    }
    publish(DatasetVersionStatus.READY, result.rowCount ?? 0);
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = error instanceof AppError ? error.message : 'Processing failed unexpectedly; see the server log';
    if (!(error instanceof AppError)) app.log.error({ err: error, versionId }, 'dataset version job failed');
    await em.nativeUpdate(DatasetVersion, still, { status: DatasetVersionStatus.FAILED, error: reason, input: null });
    publish(DatasetVersionStatus.FAILED, 0, reason);
  }
}

/**
 * Versions PROCESSING whose job is gone: sent again when it vanished (deleted, a version from before
 * jobs were queued, a database restored without its queue) or says it finished while the version did
 * not (a restore onto an old queue); FAILED when every try was cut short. Safe on every instance at
 * once: a job's id is its version's, so a second send creates nothing.
 */
export async function repairVersionJobs(app: AppServices): Promise<{ resent: number; failed: number }> {
  const em = app.orm.em.fork();
  const processing = await em.find(DatasetVersion, { status: DatasetVersionStatus.PROCESSING }, { fields: ['id'] });
  let resent = 0;
  let failed = 0;
  for (const { id } of processing) {
    let state = await app.jobs.state(id);
    if (state === 'completed' || state === 'cancelled') {
      // Unless the version finished meanwhile (its job completes just after it).
      const still = await em.count(DatasetVersion, { id, status: DatasetVersionStatus.PROCESSING });
      if (!still) continue;
      await app.jobs.delete(id);
      state = null;
    }
    if (state === null) {
      if (await app.jobs.sendNow(VERSION_JOB, { versionId: id }, { id })) resent++;
    } else if (state === 'failed') {
      const error = `Processing stopped after ${app.config.API_JOB_MAX_ATTEMPTS} tries (the server processing it stopped each time); create the version again`;
      const changed = await em.nativeUpdate(
        DatasetVersion,
        { id, status: DatasetVersionStatus.PROCESSING },
        { status: DatasetVersionStatus.FAILED, error, input: null },
      );
      if (changed) {
        failed++;
        publisher(app, id)(DatasetVersionStatus.FAILED, 0, error);
      }
    }
  }
  return { resent, failed };
}

/**
 * Makes this instance process versions: registers the job, repairs lost ones now and every
 * `intervalMs`, and starts taking jobs. Returns the stop of the repair pass (stop the jobs after it).
 */
export async function startVersionJobs(app: AppServices, intervalMs = 60_000): Promise<() => void> {
  app.jobs.handle(VERSION_JOB, (data, job) => processVersion(app, String(data.versionId), job.signal));
  const repair = async () => {
    try {
      const repaired = await repairVersionJobs(app);
      if (repaired.resent || repaired.failed) app.log.warn(repaired, 'repaired dataset versions whose job was lost');
    } catch (err) {
      app.log.warn({ err }, 'could not repair dataset-version jobs');
    }
  };
  await repair();
  await app.jobs.work();
  const timer = setInterval(() => void repair(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
