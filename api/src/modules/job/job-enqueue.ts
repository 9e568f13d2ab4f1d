import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery, type Transaction } from 'kysely';
import type { JobHolder, JobKind } from './job-kind.js';
import type { JobQueue, QueueDb } from './job-queue.js';

/** pg-boss's statements run on the transaction `em` is in (kysely underneath MikroORM). */
function transactionDb(em: EntityManager): QueueDb {
  const trx = em.getTransactionContext<Transaction<unknown>>();
  if (!trx) throw new Error('a job is queued inside the transaction that writes its row');
  return {
    executeSql: async (text, values = []) => ({ rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows }),
  };
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
