import type pg from 'pg';
import { HolderNotFoundError, NotHeldError, type IncomingEvent } from '../job/job-events.js';

/** What a batch says about the evaluation's state: its latest phase and progress, and whether scoring began. */
function stateOf(events: IncomingEvent[]) {
  let phase: string | null = null;
  let progress: { done: number; total: number } | null = null;
  let started = false;
  for (const e of events) {
    if (e.event === 'status') {
      phase = String(e.data.message ?? e.data.status ?? '').slice(0, 500);
      if (e.data.status === 'evaluating') started = true;
    } else if (e.event === 'progress') {
      const { overall_done: done, overall_total: total } = e.data as Record<string, number>;
      if (Number.isInteger(done) && Number.isInteger(total)) progress = { done, total };
      started = true;
    }
  }
  return { phase, progress, started };
}

const text = (v: unknown) => (typeof v === 'string' ? v : null);

/** The `example` events as rows (the evaluator caps each under 64 KB). */
function exampleRows(events: IncomingEvent[]) {
  return events
    .filter((e) => e.event === 'example')
    .map(({ data: d }) => ({
      index: d.index,
      target: text(d.target),
      suite: text(d.suite),
      subject: text(d.subject),
      prompt: text(d.prompt) ?? '',
      reference: text(d.reference) ?? '',
      output: text(d.output),
      thinking: text(d.thinking),
      flags: Array.isArray(d.flags) ? d.flags : [],
      scores: d.scores && typeof d.scores === 'object' ? d.scores : {},
      stats: d.stats ?? null,
    }));
}

/**
 * Stores a batch in one statement, as for runs (run-events.store.ts): the evaluation row is locked
 * first, every write is conditioned on the fencing check, and the unique keys (evaluation, attempt,
 * seq) and (evaluation, target, suite, index) make a resent batch a no-op — an example is stored once
 * whichever attempt reports it.
 */
export async function storeEvaluationEvents(
  pool: pg.Pool,
  id: string,
  attempt: number,
  workerAccountId: string,
  events: IncomingEvent[],
) {
  const state = stateOf(events);
  const changed = state.phase !== null || state.progress !== null || state.started;
  // Example rows and running metrics are not kept twice: the rows have their table, metrics end in the summary.
  const kept = events.filter((e) => e.event !== 'example' && e.event !== 'metric' && e.event !== 'progress');
  const { rows } = await pool.query<{
    held: boolean;
    attempt: number;
    status: string;
    cancel_requested: boolean;
    stored: number;
  }>(STORE, [
    id,
    attempt,
    workerAccountId,
    JSON.stringify(kept.map((e) => ({ seq: e.seq, kind: e.event, time: e.time, payload: e.data }))),
    JSON.stringify(exampleRows(events)),
    changed,
    state.phase,
    state.progress ? JSON.stringify(state.progress) : null,
    state.started,
  ]);
  const row = rows[0];
  if (!row) throw new HolderNotFoundError('Evaluation not found');
  if (!row.held)
    throw new NotHeldError(
      `attempt ${attempt} of this evaluation is not held by this worker (current attempt ${row.attempt}, ${row.status})`,
    );
  return { stored: row.stored, cancelRequested: row.cancel_requested, stateChanged: changed };
}

// $1 evaluation, $2 attempt, $3 the worker's account, $4 events kept, $5 example rows, $6 state changed,
// $7 phase, $8 progress, $9 scoring began.
const STORE = `
with ev as (
  select attempt, status, cancel_requested_at,
         worker_id = (select id from workers where account_id = $3 and revoked_at is null)
           and attempt = $2 and status in ('STARTING', 'RUNNING') as held
    from evaluations where id = $1 for update
), events as (
  insert into evaluation_events (evaluation_id, attempt, seq, kind, time, payload)
  select $1, $2, e.seq, e.kind, e.time, e.payload
    from json_to_recordset($4::json) as e(seq int, kind text, time timestamptz, payload jsonb)
   where (select held from ev)
  on conflict (evaluation_id, attempt, seq) do nothing
  returning id
), examples as (
  insert into evaluation_examples (evaluation_id, index, target, suite, subject, prompt, reference, output, thinking,
                                   flags, scores, stats, attempt)
  select $1, x.index, x.target, x.suite, x.subject, x.prompt, x.reference, x.output, x.thinking, x.flags, x.scores,
         x.stats, $2
    from json_to_recordset($5::json) as x(index int, target text, suite text, subject text, prompt text,
                                          reference text, output text, thinking text, flags jsonb, scores jsonb,
                                          stats jsonb)
   where (select held from ev)
  on conflict (evaluation_id, target, suite, index) do nothing
  returning id
), updated as (
  update evaluations set
    phase = coalesce($7, phase),
    progress = coalesce($8::jsonb, progress),
    status = case when $9 and status = 'STARTING' then 'RUNNING' else status end
   where id = $1 and (select held from ev) and $6
)
select held, attempt, status, cancel_requested_at is not null as cancel_requested,
       (select count(*) from events)::int + (select count(*) from examples)::int as stored
  from ev`;
