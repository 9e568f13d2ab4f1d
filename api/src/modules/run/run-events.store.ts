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
export class MetricQuotaError extends Error {}

export async function storeEvents(
  pool: pg.Pool,
  runId: string,
  attempt: number,
  events: IncomingEvent[],
  maxPoints: number,
) {
  if (!events.length) return 0;
  const client = await pool.connect();
  try {
    await client.query('begin');
    // The run row lock orders concurrent batches of one run; the counter enforces the quota.
    const quota = await client.query<{ metric_points: string }>(
      `select metric_points from runs where id = $1 for update`,
      [runId],
    );
    const inserted = await client.query(
      `insert into run_events (run_id, attempt, seq, kind, time, payload)
       select $1, $2, e.seq, e.kind, e.time, e.payload
         from unnest($3::int[], $4::text[], $5::timestamptz[], $6::jsonb[]) as e(seq, kind, time, payload)
       on conflict (run_id, attempt, seq) do nothing
       returning id, kind, time, payload`,
      [
        runId,
        attempt,
        events.map((e) => e.seq),
        events.map((e) => e.event),
        events.map((e) => e.time),
        events.map((e) => JSON.stringify(e.data)),
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
      const counted = await client.query(
        `insert into run_metrics (run_id, key, step, value, attempt, time)
         select $1, m.key, m.step, m.value, $2, m.time
           from unnest($3::text[], $4::int[], $5::float8[], $6::timestamptz[]) as m(key, step, value, time)
         on conflict (run_id, key, step) do update set value = excluded.value, attempt = excluded.attempt, time = excluded.time
           where run_metrics.attempt <= excluded.attempt
         returning (xmax = 0) as inserted`,
        [runId, attempt, keys, steps, values, times],
      );
      const added = counted.rows.filter((r) => r.inserted).length;
      if (added) await client.query(`update runs set metric_points = metric_points + $2 where id = $1`, [runId, added]);
      await updateRollups(client, runId, keys, steps, values);
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
        level: String(r.payload.level ?? (r.kind === 'failed' ? 'error' : 'info')),
        message: String(r.payload.message ?? ''),
      }));
    if (lines.length) pubSub.publish('RUN_LOGS', runId, { lines });
    return inserted.rowCount ?? 0;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}
