import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';

/**
 * Quotas per project and per user: storage (uploads, dataset versions — derived ones included —,
 * checkpoints and model versions), projects owned, and dataset versions processing at once. Every
 * check runs inside the transaction that records the new thing, after `lockQuotas`, so parallel
 * requests are counted one after the other and cannot pass a quota together.
 */

/** Transaction-scoped advisory locks, always taken in the same order (users, then projects): no deadlocks. */
export async function lockQuotas(em: EntityManager, keys: { userId?: string | null; projectId?: string | null }) {
  const names = [keys.userId && `quota:user:${keys.userId}`, keys.projectId && `quota:project:${keys.projectId}`];
  for (const name of names.filter(Boolean)) {
    await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [name]);
  }
}

const PROJECT_STORAGE = `select
  (select coalesce(sum(size), 0) from uploads where project_id = ?)
  + (select coalesce(sum(v.size_bytes), 0) from dataset_versions v join datasets d on d.id = v.dataset_id where d.project_id = ?)
  + (select coalesce(sum(c.size_bytes), 0) from run_checkpoints c join runs r on r.id = c.run_id where r.project_id = ?)
  + (select coalesce(sum(size_bytes), 0) from model_versions where project_id = ?) as used`;

/** A user's storage is what they brought or made: their uploads and versions, and their runs' artifacts. */
const USER_STORAGE = `select
  (select coalesce(sum(size), 0) from uploads where user_id = ?)
  + (select coalesce(sum(size_bytes), 0) from dataset_versions where author_id = ?)
  + (select coalesce(sum(c.size_bytes), 0) from run_checkpoints c join runs r on r.id = c.run_id where r.created_by_id = ?)
  + (select coalesce(sum(m.size_bytes), 0) from model_versions m join runs r on r.id = m.run_id where r.created_by_id = ?) as used`;

async function scalar(em: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const rows = await em.execute<{ used: string }[]>(sql, params);
  return Number(rows[0]?.used ?? 0);
}

export const projectStorage = (em: EntityManager, projectId: string) =>
  scalar(em, PROJECT_STORAGE, Array(4).fill(projectId));
export const userStorage = (em: EntityManager, userId: string) => scalar(em, USER_STORAGE, Array(4).fill(userId));

const refuse = (message: string) => new AppError('CONFLICT', message);

/** Refuses `adding` more bytes when the project's or the user's storage would pass its quota. */
export async function checkStorage(
  em: EntityManager,
  config: Config,
  who: { projectId: string; userId: string | null },
  adding: number,
  what = 'This',
) {
  const project = await projectStorage(em, who.projectId);
  if (project + adding > config.DATASET_PROJECT_QUOTA_BYTES || project >= config.DATASET_PROJECT_QUOTA_BYTES) {
    throw refuse(
      `${what} (${adding} bytes) would take the project over its storage quota: ${project} of ${config.DATASET_PROJECT_QUOTA_BYTES} bytes used (DATASET_PROJECT_QUOTA_BYTES)`,
    );
  }
  if (!who.userId) return; // an artifact of a run whose author was deleted counts for the project only
  const user = await userStorage(em, who.userId);
  if (user + adding > config.QUOTA_STORAGE_PER_USER_BYTES || user >= config.QUOTA_STORAGE_PER_USER_BYTES) {
    throw refuse(
      `${what} (${adding} bytes) would take you over your storage quota: ${user} of ${config.QUOTA_STORAGE_PER_USER_BYTES} bytes used (QUOTA_STORAGE_PER_USER_BYTES)`,
    );
  }
}

/** Refuses a new project when the user already owns as many as allowed. */
export async function checkProjectCount(em: EntityManager, config: Config, userId: string) {
  const rows = await em.execute<{ n: string }[]>(
    `select count(*) as n from project_members where user_id = ? and role = 'OWNER'`,
    [userId],
  );
  const owned = Number(rows[0]?.n ?? 0);
  if (owned >= config.QUOTA_PROJECTS_PER_USER) {
    throw refuse(
      `You own ${owned} projects; the limit is ${config.QUOTA_PROJECTS_PER_USER} (QUOTA_PROJECTS_PER_USER). Archive or hand over one first`,
    );
  }
}

/** Refuses a new dataset version while too many are processing in the project or for the user. */
export async function checkProcessingJobs(
  em: EntityManager,
  config: Config,
  who: { projectId: string; userId: string },
) {
  const rows = await em.execute<{ project: string; user: string }[]>(
    `select
       (select count(*) from dataset_versions v join datasets d on d.id = v.dataset_id
         where d.project_id = ? and v.status = 'PROCESSING') as project,
       (select count(*) from dataset_versions where author_id = ? and status = 'PROCESSING') as user`,
    [who.projectId, who.userId],
  );
  const project = Number(rows[0]?.project ?? 0);
  const user = Number(rows[0]?.user ?? 0);
  if (project >= config.QUOTA_PROCESSING_JOBS_PER_PROJECT) {
    throw refuse(
      `${project} dataset versions are processing in this project; the limit is ${config.QUOTA_PROCESSING_JOBS_PER_PROJECT} at once (QUOTA_PROCESSING_JOBS_PER_PROJECT). Try again when one is done`,
    );
  }
  if (user >= config.QUOTA_PROCESSING_JOBS_PER_USER) {
    throw refuse(
      `${user} of your dataset versions are processing; the limit is ${config.QUOTA_PROCESSING_JOBS_PER_USER} at once (QUOTA_PROCESSING_JOBS_PER_USER). Try again when one is done`,
    );
  }
}
