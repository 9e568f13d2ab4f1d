import type { EntityManager } from '@mikro-orm/postgresql';
import { fromKysely, type Db, type KyselyTransactionLike } from 'pg-boss';
import type { JobHolder, JobKind } from './job-kind.js';
import type { JobQueue } from './job-queue.js';

/**
 * A pg-boss `db` that runs through the caller's MikroORM transaction, so a job is sent in the same
 * transaction as the row it belongs to: both commit, or neither (a worker never sees a job whose row
 * is not there yet).
 */
export function transactionDb(em: EntityManager): Db {
  // MikroORM 7 runs on Kysely: its transaction context is a Kysely transaction.
  const trx = em.getTransactionContext<KyselyTransactionLike>();
  if (!trx) throw new Error('send a job inside em.transactional(), with the transaction’s EntityManager');
  return fromKysely(trx);
}

/**
 * Sends the holder's queue job in the transaction `em` is in: the job becomes visible to workers
 * exactly when the row does, so a claim never meets a job whose row it cannot see (or sees ended), and
 * a failed commit leaves no job behind. The holder's queueName, priority and maxAttempts are set.
 */
export async function enqueueInTransaction(em: EntityManager, queue: JobQueue, kind: JobKind, holder: JobHolder) {
  holder.jobId = await queue.send(
    holder.queueName,
    { kind, id: holder.id },
    { projectId: holder.project.id, priority: holder.priority, maxAttempts: holder.maxAttempts },
    transactionDb(em),
  );
}
