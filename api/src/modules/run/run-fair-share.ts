import type { EntityManager } from '@mikro-orm/postgresql';

/** A project with runs waiting in a queue, in the order the queue serves them. */
export interface WaitingProject {
  queue: string;
  projectId: string;
}

/**
 * Which project's runs a worker should take next, per queue (in the worker's queue order). A run's
 * priority orders runs only inside its project; across projects the queue is shared fairly:
 *   1. fewer GPUs training now (a CPU run counts as one),
 *   2. then fewer GPU-seconds used over the last `windowSeconds` (training time × GPUs, attempts
 *      still running included),
 *   3. then the project whose oldest waiting run has waited longest.
 * So a burst of priority-100 runs in one project cannot hold another project's runs back by more than
 * the run that is already being handed out. Projects in `busy` (at RUN_PROJECT_CONCURRENCY) are left out.
 */
export async function fairProjectOrder(
  em: EntityManager,
  queues: string[],
  busy: string[],
  windowSeconds: number,
): Promise<WaitingProject[]> {
  const gpus = `greatest(coalesce((x.config->'resources'->>'gpusPerNode')::int, 0)
                 * coalesce((x.config->'resources'->>'nodes')::int, 1), 1)`;
  const rows = await em.execute<{ queue: string; project_id: string }[]>(
    `with waiting as (
       select queue_name, project_id, min(created_at) as oldest from runs
        where status = 'QUEUED' and queue_name = any(string_to_array(?, ','))
          and not (project_id::text = any(string_to_array(?, ',')))
        group by queue_name, project_id
     )
     select w.queue_name as queue, w.project_id,
       (select coalesce(sum(${gpus}), 0) from runs x
         where x.project_id = w.project_id and x.status in ('STARTING', 'RUNNING')) as training,
       (select coalesce(sum(extract(epoch from coalesce(a.ended_at, now())
                                 - greatest(a.started_at, now() - make_interval(secs => ?))) * ${gpus}), 0)
          from runs x join run_attempts a on a.run_id = x.id
         where x.project_id = w.project_id and coalesce(a.ended_at, now()) > now() - make_interval(secs => ?)) as used
     from waiting w
     order by array_position(string_to_array(?, ','), w.queue_name::text), training, used, w.oldest, w.project_id`,
    // Lists travel as comma-joined text: MikroORM expands array parameters into value lists.
    [queues.join(','), busy.join(','), windowSeconds, windowSeconds, queues.join(',')],
  );
  return rows.map((r) => ({ queue: r.queue, projectId: r.project_id }));
}
