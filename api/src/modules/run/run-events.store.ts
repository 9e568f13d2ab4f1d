import type pg from 'pg';
import { pubSub } from '../../pubsub.js';
import { updateRollups } from './metric-history.js';

export interface IncomingEvent {
  seq: number;
  time: string;
  event: string;
  data: Record<string, unknown>;
}

/**
 * Stores a batch of events, and the scalar values of its metric events, in two statements. The
 * unique keys (run, attempt, seq) and (run, key, step) make a resent batch a no-op; a step trained
 * again after a resume replaces the value it had. Returns how many events were new.
 */
/** A log line's level: the trainer's own, else `error` for a failure and `info` for anything else. */
export const logLevel = (kind: string, level: unknown) =>
  typeof level === 'string' ? level : kind === 'failed' ? 'error' : 'info';

/** What a batch says about the run's state: the latest phase and progress, and whether training began. */
export function runStateOf(events: IncomingEvent[]) {
  let phase: string | null = null;
  let progress: { step: number; totalSteps: number; epoch: number } | null = null;
  let training = false;
  for (const e of events) {
    if (e.event === 'status') {
      phase = String(e.data.message ?? e.data.status ?? '').slice(0, 500);
      if (e.data.status === 'training') training = true;
    } else if (e.event === 'progress') {
      const { step, total_steps: totalSteps, epoch } = e.data as Record<string, number>;
      if ([step, totalSteps, epoch].every(Number.isFinite)) progress = { step, totalSteps, epoch };
      training = true;
    }
  }
  return phase === null && progress === null && !training ? null : { phase, progress, training };
}

export class MetricQuotaError extends Error {}
export class RunNotFoundError extends Error {}
/** The attempt is not the worker's (any more): the fencing check, made under the run row lock. */
export class NotHeldError extends Error {}

export async function storeEvents(
  pool: pg.Pool,
  runId: string,
  attempt: number,
  workerId: string,
  events: IncomingEvent[],
  maxPoints: number,
): Promise<{ stored: number; cancelRequested: boolean; stateChanged: boolean }> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    // The run row lock orders concurrent batches of one run, makes the fencing check atomic with the
    // writes, and guards the quota counter.
    const quota = await client.query<{
      metric_points: string;
      attempt: number;
      status: string;
      worker_id: string | null;
      cancel_requested_at: Date | null;
    }>(`select metric_points, attempt, status, worker_id, cancel_requested_at from runs where id = $1 for update`, [
      runId,
    ]);
    const run = quota.rows[0];
    if (!run) throw new RunNotFoundError('Run not found');
    if (run.worker_id !== workerId || run.attempt !== attempt || !['STARTING', 'RUNNING'].includes(run.status))
      throw new NotHeldError(
        `attempt ${attempt} of this run is not held by this worker (current attempt ${run.attempt}, ${run.status})`,
      );
    const cancelRequested = run.cancel_requested_at !== null;
    if (!events.length) {
      await client.query('commit');
      return { stored: 0, cancelRequested, stateChanged: false };
    }
    // Under the same lock as the fencing check: a run the reconciler just requeued is not revived.
    const state = runStateOf(events);
    if (state)
      await client.query(
        `update runs set phase = coalesce($2, phase), progress = coalesce($3::jsonb, progress),
           status = case when $4 and status = 'STARTING' then 'RUNNING' else status end
         where id = $1`,
        [runId, state.phase, state.progress && JSON.stringify(state.progress), state.training],
      );
    const inserted = await client.query(
      `insert into run_events (run_id, attempt, seq, kind, time, payload)
       select $1, $2, e.seq, e.kind, e.time, e.payload
         from json_to_recordset($3::json) as e(seq int, kind text, time timestamptz, payload jsonb)
       on conflict (run_id, attempt, seq) do nothing
       returning id, kind, time, case when kind in ('log', 'failed') then payload end as payload`,
      // One JSON document, not six arrays: node-postgres escapes array elements one by one in JS.
      [
        runId,
        attempt,
        JSON.stringify(events.map((e) => ({ seq: e.seq, kind: e.event, time: e.time, payload: e.data }))),
      ],
    );
    const keys: string[] = [];
    const steps: number[] = [];
    const values: number[] = [];
    const times: string[] = [];
    // A step's points arrive in one event except eval_loss, which may come in a later one.
    const byKeyStep = new Map<string, number>();
    for (const e of events) {
      if (e.event !== 'metric' || typeof e.data.step !== 'number') continue;
      for (const [key, value] of Object.entries((e.data.values ?? {}) as Record<string, unknown>)) {
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        const id = `${key}\u0000${e.data.step}`;
        const at = byKeyStep.get(id);
        if (at !== undefined) {
          values[at] = value;
          continue;
        }
        byKeyStep.set(id, keys.length);
        keys.push(key);
        steps.push(e.data.step);
        values.push(value);
        times.push(e.time);
      }
    }
    if (keys.length) {
      const used = Number(quota.rows[0]?.metric_points ?? 0);
      if (used + keys.length > maxPoints)
        throw new MetricQuotaError(
          `this run has ${used} metric points stored; ${keys.length} more would pass its quota of ${maxPoints} (RUN_MAX_METRIC_POINTS)`,
        );
      const points = JSON.stringify(keys.map((k, i) => ({ k, s: steps[i], v: values[i], t: times[i] })));
      const counted = await client.query<{ added: number }>(
        `with stored as (
           insert into run_metrics (run_id, key, step, value, attempt, time)
           select $1, m.k, m.s, m.v, $2, m.t from json_to_recordset($3::json) as m(k text, s int, v float8, t timestamptz)
           on conflict (run_id, key, step) do update set value = excluded.value, attempt = excluded.attempt, time = excluded.time
             where run_metrics.attempt <= excluded.attempt
           returning (xmax = 0) as inserted)
         select (count(*) filter (where inserted))::int as added from stored`,
        [runId, attempt, points],
      );
      const added = counted.rows[0]!.added;
      if (added) await client.query(`update runs set metric_points = metric_points + $2 where id = $1`, [runId, added]);
      await updateRollups(client, runId, points);
    }
    await client.query('commit');
    // Only what is stored is announced: subscribers never see a point the history will not have.
    if (keys.length)
      pubSub.publish('RUN_METRICS', runId, {
        points: keys.map((key, i) => ({ key, step: steps[i], value: values[i] })),
      });
    const lines = inserted.rows
      .filter((r) => r.kind === 'log' || r.kind === 'failed')
      .map((r) => ({
        id: String(r.id),
        time: r.time as Date,
        attempt,
        level: logLevel(r.kind, r.payload.level),
        message: String(r.payload.message ?? ''),
      }));
    if (lines.length) pubSub.publish('RUN_LOGS', runId, { lines });
    return { stored: inserted.rowCount ?? 0, cancelRequested, stateChanged: state !== null };
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}
