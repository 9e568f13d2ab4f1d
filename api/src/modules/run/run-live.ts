import type { Context } from '../../context.js';
import { badInput } from '../../errors.js';
import { LiveAccess } from '../../graphql/live-access.js';
import { sharedView } from '../../graphql/shared-execution.js';
import { RESUMED, type RunLogLineEvent } from '../../pubsub.js';
import type { AppServices } from '../../services.js';

const KEY = /^[\w./-]{1,100}$/;
export function checkKeys(keys: string[] | null | undefined) {
  if (!keys) return null;
  if (keys.length > 50) throw badInput('keys', 'at most 50 keys');
  for (const k of keys) if (!KEY.test(k)) throw badInput('keys', `"${k}" is not a metric key`);
  return keys;
}

/**
 * A page of the points stored after their key's cursor (`$2` keys, `$3` the last step sent of each;
 * any other key: after `$4`, the client's afterStep), in (step, key) order after `($5, $6)`.
 */
const METRICS_AFTER = `
select m.key, m.step, m.value
  from run_metrics m
  left join unnest($2::text[], $3::int[]) as sent(key, step) on sent.key = m.key
 where m.run_id = $1 and (m.step, m.key) > ($5, $6) and m.step > coalesce(sent.step, $4)
   and ($7::text[] is null or m.key = any($7))
 order by m.step, m.key
 limit $8`;

/**
 * Every stored point after `afterStep` (the history the client already has; in messages of at most
 * LIVE_BACKLOG_PAGE_SIZE points, in step order), then each new batch as
 * it is stored, without gaps or duplicates: listening starts before the backlog is read, and per key
 * only steps after the last one sent pass. When Redis comes back after an outage (RESUMED), the points
 * stored meanwhile are read from the database the same way.
 */
export async function* runMetricStream(
  ctx: Context,
  app: AppServices,
  runId: string,
  keys: string[] | null,
  afterStep: number,
) {
  const access = new LiveAccess(ctx, `run:${runId}`, 'run:read', (c) => c.services.runs.access(runId));
  await access.assert();
  const wanted = checkKeys(keys);
  const selection = wanted ? [...wanted].sort().join('\u0000') : '*';
  const live = app.pubsub.subscribe('RUN_METRICS', runId)[Symbol.asyncIterator]();
  const next = live.next();
  const sent = new Map<string, number>();
  const fresh = (p: { key: string; step: number }) =>
    (!wanted || wanted.includes(p.key)) && p.step > (sent.get(p.key) ?? afterStep);
  const remember = (points: { key: string; step: number }[]) => {
    for (const p of points) sent.set(p.key, Math.max(p.step, sent.get(p.key) ?? afterStep));
  };
  /** What is stored after the cursors, in pages (keyset on step, key: never one huge result or message). */
  async function* backlog() {
    const pageSize = ctx.config.LIVE_BACKLOG_PAGE_SIZE;
    const cursors = [[...sent.keys()], [...sent.values()]];
    // Where to start looking: no point of any key can be new below its lowest cursor.
    const seenAll = wanted?.length && wanted.every((k) => sent.has(k));
    let after = { step: seenAll ? Math.min(...wanted!.map((k) => sent.get(k)!)) : afterStep, key: '' };
    for (;;) {
      const page = await app.pool.query<{ key: string; step: number; value: number }>(METRICS_AFTER, [
        runId,
        ...cursors,
        afterStep,
        after.step,
        after.key,
        wanted,
        pageSize,
      ]);
      if (!page.rows.length) return;
      remember(page.rows);
      yield { points: page.rows };
      if (page.rows.length < pageSize) return;
      after = page.rows.at(-1)!;
      await access.assert();
    }
  }
  try {
    await app.pubsub.listening();
    yield* backlog();
    for (let result = await next; !result.done; result = await live.next()) {
      await access.assert();
      if (result.value === RESUMED) {
        yield* backlog();
        continue;
      }
      const points = result.value.points.filter(fresh);
      if (!points.length) continue;
      remember(points);
      // Subscribers of the same keys receive (and execute) one shared batch.
      yield sharedView(result.value, selection, points, (p) => ({ points: p }));
    }
  } finally {
    await live.return?.();
  }
}

/**
 * Log lines after `afterId` (in messages of at most LIVE_BACKLOG_PAGE_SIZE lines), then new ones as
 * they are stored; after a Redis outage (RESUMED), the lines stored meanwhile from the database.
 */
export async function* runLogStream(ctx: Context, app: AppServices, runId: string, afterId: string | null) {
  const access = new LiveAccess(ctx, `run:${runId}`, 'run:read', (c) => c.services.runs.access(runId));
  await access.assert();
  if (afterId !== null && !/^\d{1,18}$/.test(afterId)) throw badInput('afterId', 'must be a log line id');
  const live = app.pubsub.subscribe('RUN_LOGS', runId)[Symbol.asyncIterator]();
  const next = live.next();
  let last = BigInt(afterId ?? '0');
  async function* backlog() {
    const pageSize = ctx.config.LIVE_BACKLOG_PAGE_SIZE;
    for (;;) {
      const page = await app.pool.query<RunLogLineEvent>(
        `select id::text, time, attempt, coalesce(payload->>'level', case when kind = 'failed' then 'error' else 'info' end) as level, coalesce(payload->>'message', '') as message
           from run_events where run_id = $1 and kind in ('log', 'failed') and run_events.id > $2 order by run_events.id limit $3`,
        [runId, last.toString(), pageSize],
      );
      if (!page.rows.length) return;
      last = BigInt(page.rows.at(-1)!.id);
      yield { lines: page.rows };
      if (page.rows.length < pageSize) return;
      await access.assert();
    }
  }
  try {
    await app.pubsub.listening();
    yield* backlog();
    for (let result = await next; !result.done; result = await live.next()) {
      await access.assert();
      if (result.value === RESUMED) {
        yield* backlog();
        continue;
      }
      const lines = result.value.lines.filter((l) => BigInt(l.id) > last);
      if (!lines.length) continue;
      last = BigInt(lines.at(-1)!.id);
      yield sharedView(result.value, '*', lines, (l) => ({ lines: l }));
    }
  } finally {
    await live.return?.();
  }
}
