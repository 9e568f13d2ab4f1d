import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobKinds } from './job-kind.js';

/** A project with jobs waiting in a queue, in the order the queue serves them. */
export interface WaitingProject {
  queue: string;
  projectId: string;
}

/**
 * Which project's jobs a worker should take next, per queue (in the worker's queue order), over every
 * kind of job. A job's priority orders jobs only inside its project; across projects the queue is
 * shared fairly:
 *   1. fewer GPUs busy now (a CPU job counts as one),
 *   2. then fewer GPU-seconds used over the last `windowSeconds` (time × GPUs, attempts still
 *      running included),
 *   3. then the project whose oldest waiting job has waited longest.
 * So a burst of priority-100 jobs in one project cannot hold another project's jobs back by more than
 * the job that is already being handed out. Projects in `busy` (at RUN_PROJECT_CONCURRENCY) are left out.
 */
export async function fairProjectOrder(
  em: EntityManager,
  kinds: JobKinds,
  queues: string[],
  busy: string[],
  windowSeconds: number,
): Promise<WaitingProject[]> {
  const rows = await em.execute<{ queue: string; project_id: string }[]>(
    `with holders as not materialized (${kinds.holdersSql()}),
     attempts as not materialized (${kinds.attemptsSql()}),
     waiting as (
       select queue_name, project_id, min(created_at) as oldest from holders
        where status = 'QUEUED' and queue_name = any(string_to_array(?, ','))
          and not (project_id::text = any(string_to_array(?, ',')))
        group by queue_name, project_id
     )
     select w.queue_name as queue, w.project_id,
       (select coalesce(sum(x.gpus), 0) from holders x
         where x.project_id = w.project_id and x.status in ('STARTING', 'RUNNING')) as busy,
       (select coalesce(sum(extract(epoch from coalesce(a.ended_at, now())
                                 - greatest(a.started_at, now() - make_interval(secs => ?))) * x.gpus), 0)
          from holders x join attempts a on a.kind = x.kind and a.holder_id = x.id
         where x.project_id = w.project_id and coalesce(a.ended_at, now()) > now() - make_interval(secs => ?)) as used
     from waiting w
     order by array_position(string_to_array(?, ','), w.queue_name::text), busy, used, w.oldest, w.project_id`,
    // Lists travel as comma-joined text: MikroORM expands array parameters into value lists.
    [queues.join(','), busy.join(','), windowSeconds, windowSeconds, queues.join(',')],
  );
  return rows.map((r) => ({ queue: r.queue, projectId: r.project_id }));
}
