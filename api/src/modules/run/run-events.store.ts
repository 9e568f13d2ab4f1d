import type pg from 'pg';
import type { AppServices } from '../../services.js';
import { HolderNotFoundError, MetricQuotaError, NotHeldError, type IncomingEvent } from '../job/job-events.js';
import { rollupUpsert, rollupsOf } from './metric-history.js';

/** A log line's level: the trainer's own, else `error` for a failure and `info` for anything else. */
export const logLevel = (kind: string, level: unknown) =>
  typeof level === 'string' ? level : kind === 'failed' ? 'error' : 'info';

/** What a batch says about the run's state: the latest phase and progress, and whether training began. */
function runStateOf(events: IncomingEvent[]) {
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

/**
 * Stores a batch of events, and the scalar values of its metric events, in one statement: one round
 * trip, atomic without a transaction block. The run row is locked first (it orders concurrent batches
 * of one run, makes the fencing and quota checks atomic with the writes, and guards the counter);
 * every write is conditioned on those checks, so a refused batch writes nothing. The unique keys
 * (run, attempt, seq) and (run, key, step) make a resent batch a no-op; a step trained again after a
 * resume replaces the value it had. Returns how many events were new.
 */
export async function storeEvents(
  pool: pg.Pool,
  runId: string,
  attempt: number,
  workerAccountId: string,
  events: IncomingEvent[],
  maxPoints: number,
  live: Pick<AppServices, 'pubsub' | 'metrics'>,
): Promise<{ stored: number; cancelRequested: boolean; stateChanged: boolean }> {
  const points = metricPoints(events);
  const state = runStateOf(events);
  const { rows } = await pool.query<{
    held: boolean;
    accepted: boolean;
    attempt: number;
    status: string;
    used: string;
    cancel_requested: boolean;
    stored: number;
    lines: { id: string; kind: string; time: string; payload: Record<string, unknown> }[] | null;
  }>(STORE, [
    runId,
    attempt,
    workerAccountId,
    // One JSON document per table, not arrays per column: node-postgres escapes array elements one by one in JS.
    JSON.stringify(events.map((e) => ({ seq: e.seq, kind: e.event, time: e.time, payload: eventPayload(e) }))),
    JSON.stringify(points),
    maxPoints,
    points.length,
    state !== null,
    state?.phase ?? null,
    state?.progress ? JSON.stringify(state.progress) : null,
    state?.training ?? false,
    JSON.stringify(rollupsOf(points)),
  ]);
  const run = rows[0];
  if (!run) throw new HolderNotFoundError('Run not found');
  if (!run.held)
    throw new NotHeldError(
      `attempt ${attempt} of this run is not held by this worker (current attempt ${run.attempt}, ${run.status})`,
    );
  if (!run.accepted)
    throw new MetricQuotaError(
      `this run has ${run.used} metric points stored; ${points.length} more would pass its quota of ${maxPoints} (RUN_MAX_METRIC_POINTS)`,
    );
  // Only what is stored is announced: subscribers never see a point the history will not have.
  live.metrics.ingestedPoints.inc(points.length);
  if (points.length)
    live.pubsub.publish('RUN_METRICS', runId, { points: points.map((p) => ({ key: p.k, step: p.s, value: p.v })) });
  const lines = (run.lines ?? []).map((r) => ({
    id: r.id,
    time: new Date(r.time),
    attempt,
    level: logLevel(r.kind, r.payload.level),
    message: String(r.payload.message ?? ''),
  }));
  if (lines.length) live.pubsub.publish('RUN_LOGS', runId, { lines });
  return { stored: run.stored, cancelRequested: run.cancel_requested, stateChanged: state !== null };
}

/** What the event row keeps: all of it, except a metric event's values, which live in run_metrics. */
function eventPayload(e: IncomingEvent) {
  if (e.event !== 'metric') return e.data;
  const { values: _values, ...rest } = e.data;
  return rest;
}

/** The batch's metric values as {k, s, v, t}; a step's points arrive in one event except eval_loss. */
function metricPoints(events: IncomingEvent[]) {
  const points: { k: string; s: number; v: number; t: string }[] = [];
  const byKeyStep = new Map<string, number>();
  for (const e of events) {
    if (e.event !== 'metric' || typeof e.data.step !== 'number') continue;
    for (const [key, value] of Object.entries((e.data.values ?? {}) as Record<string, unknown>)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const id = `${key}\u0000${e.data.step}`;
      const at = byKeyStep.get(id);
      if (at !== undefined) points[at].v = value;
      else {
        byKeyStep.set(id, points.length);
        points.push({ k: key, s: e.data.step, v: value, t: e.time });
      }
    }
  }
  return points;
}

// $1 run, $2 attempt, $3 the worker's account, $4 events, $5 points, $6 quota, $7 point count,
// $8 state changed, $9 phase, $10 progress, $11 training began, $12 the batch's rollups.
// Data-modifying CTEs run to completion whether or not the final select reads them.
const STORE = `
with run as (
  select metric_points, attempt, status, cancel_requested_at,
         worker_id = (select id from workers where account_id = $3 and revoked_at is null)
           and attempt = $2 and status in ('STARTING', 'RUNNING') as held
    from runs where id = $1 for update
), accepted as (
  select 1 from run where held and metric_points + $7 <= $6
), events as (
  insert into run_events (run_id, attempt, seq, kind, time, payload)
  select $1, $2, e.seq, e.kind, e.time, e.payload
    from json_to_recordset($4::json) as e(seq int, kind text, time timestamptz, payload jsonb)
   where exists (select 1 from accepted)
  on conflict (run_id, attempt, seq) do nothing
  returning id, kind, time, payload
), points as (
  select p.k, p.s, p.v, p.t from json_to_recordset($5::json) as p(k text, s int, v float8, t timestamptz)
   where exists (select 1 from accepted)
), stored as (
  insert into run_metrics (run_id, key, step, value, attempt, time)
  select $1, p.k, p.s, p.v, $2, p.t from points p
  on conflict (run_id, key, step) do update set value = excluded.value, attempt = excluded.attempt, time = excluded.time
    where run_metrics.attempt <= excluded.attempt
  returning (xmax = 0) as inserted
), rollups as (
  ${rollupUpsert('$1', '$12', 'exists (select 1 from accepted)')}
), updated as (
  update runs set
    metric_points = metric_points + (select count(*) filter (where inserted) from stored),
    phase = case when $8 then coalesce($9, phase) else phase end,
    progress = case when $8 then coalesce($10::jsonb, progress) else progress end,
    status = case when $11 and status = 'STARTING' then 'RUNNING' else status end
   where id = $1 and exists (select 1 from accepted) and ($8 or exists (select 1 from stored))
)
select r.held, exists (select 1 from accepted) as accepted, r.attempt, r.status, r.metric_points::text as used,
       r.cancel_requested_at is not null as cancel_requested,
       (select count(*) from events)::int as stored,
       (select json_agg(json_build_object('id', id::text, 'kind', kind, 'time', time, 'payload', payload) order by id)
          from events where kind in ('log', 'failed')) as lines
  from run r`;
