import type pg from 'pg';

export const ROLLUP_WIDTHS = [32, 1024] as const;

export interface HistoryPoint {
  step: number;
  min: number;
  max: number;
  last: number;
}

export interface HistorySeries {
  key: string;
  /** Steps per bucket; 1 means raw points. */
  bucketSteps: number;
  lastStep: number | null;
  points: HistoryPoint[];
}

/**
 * One key's series between `from` and `to`, in at most `maxPoints` points: raw when the range holds
 * few enough steps, else buckets of equal width with min, max and last — read from the finest rollup
 * that is coarse enough, so the cost follows maxPoints, not the series' length. The first bucket's
 * point sits at its first step and every other at its last, so both ends of the range are exact.
 */
export async function metricHistory(
  pool: pg.Pool,
  table: { name: 'run_metrics' | 'run_system_metrics'; x: string },
  runId: string,
  key: string,
  from: number,
  to: number,
  maxPoints: number,
): Promise<HistorySeries> {
  // Two index probes (first and last x in range), not an aggregate: cheap however long the series.
  const bound = (dir: 'asc' | 'desc') =>
    `(select ${xSelect(table)} from ${table.name} where run_id = $1 and key = $2 and ${table.x} between $3 and $4
       order by ${table.x} ${dir} limit 1)`;
  const bounds = await pool.query<{ lo: number | null; hi: number | null }>(
    `select ${bound('asc')}::float8 as lo, ${bound('desc')}::float8 as hi`,
    [runId, key, ...xParams(table, from, to)],
  );
  const { lo, hi } = bounds.rows[0];
  if (lo === null || hi === null) return { key, bucketSteps: 1, lastStep: null, points: [] };
  const span = hi - lo + 1;
  const width = Math.max(1, Math.ceil(span / Math.max(1, maxPoints - 1)));
  if (width === 1) {
    const raw = await pool.query<{ x: number; value: number }>(
      `select ${xSelect(table)} as x, value from ${table.name}
        where run_id = $1 and key = $2 and ${table.x} between $3 and $4 order by ${table.x}`,
      [runId, key, ...xParams(table, from, to)],
    );
    const points = raw.rows.map((r) => ({ step: r.x, min: r.value, max: r.value, last: r.value }));
    return { key, bucketSteps: 1, lastStep: hi, points };
  }
  // The coarsest rollup that still gives at least half the points asked for.
  const rollup =
    table.name === 'run_metrics'
      ? [...ROLLUP_WIDTHS].reverse().find((r) => r <= width || Math.ceil(span / r) >= maxPoints / 2)
      : undefined;
  // Buckets are aligned to multiples of the rollup width so rollup buckets never straddle two.
  const bucketWidth = rollup ? Math.ceil(width / rollup) * rollup : width;
  const rows = rollup
    ? await pool.query<{ b: number; min: number; max: number; last: number; last_x: number; first_x: number }>(
        `select (bucket::int8 * $5 / $6) as b, min(min) as min, max(max) as max,
                (array_agg(last order by last_step desc))[1] as last, max(last_step) as last_x,
                min(bucket)::int8 * $5 as first_x
           from run_metric_rollups
          where run_id = $1 and key = $2 and width = $5::int and bucket between $3::int and $4::int
          group by 1 order by 1`,
        [runId, key, Math.floor(lo / rollup), Math.floor(hi / rollup), rollup, bucketWidth],
      )
    : await pool.query<{ b: number; min: number; max: number; last: number; last_x: number; first_x: number }>(
        `select floor((${xSelect(table)} - $5) / $6)::int8 as b, min(value) as min, max(value) as max,
                (array_agg(value order by ${table.x} desc))[1] as last, max(${xSelect(table)}) as last_x,
                min(${xSelect(table)}) as first_x
           from ${table.name} where run_id = $1 and key = $2 and ${table.x} between $3 and $4
          group by 1 order by 1`,
        [runId, key, ...xParams(table, from, to), lo, width],
      );
  const points = rows.rows.map((r, i) => ({
    step: Number(i === 0 ? Math.max(lo, Number(r.first_x)) : r.last_x),
    min: r.min,
    max: r.max,
    last: r.last,
  }));
  return { key, bucketSteps: bucketWidth, lastStep: hi, points };
}

// System metrics are keyed by time; their x axis is seconds (epoch) so the same code serves both.
const xSelect = (t: { name: string; x: string }) =>
  t.name === 'run_system_metrics' ? `floor(extract(epoch from ${t.x}))::float8` : t.x;
const xParams = (t: { name: string }, from: number, to: number) =>
  t.name === 'run_system_metrics' ? [new Date(from * 1000), new Date(to * 1000)] : [from, to];

/**
 * The statement folding points into the rollups of both widths (one pass over the points):
 * `points` is a FROM item aliased `m` with columns (k key, s step, v value); `run` and `widths` are
 * SQL parameters.
 */
export const rollupUpsert = (points: string, run: string, widths: string) =>
  `insert into run_metric_rollups (run_id, key, width, bucket, min, max, last_step, last)
     select ${run}, m.k, w, m.s / w, min(m.v), max(m.v), max(m.s), (array_agg(m.v order by m.s desc))[1]
       from ${points}, unnest(${widths}::int[]) as w
      group by m.k, w, m.s / w
     on conflict (run_id, key, width, bucket) do update set
       min = least(run_metric_rollups.min, excluded.min),
       max = greatest(run_metric_rollups.max, excluded.max),
       last = case when excluded.last_step >= run_metric_rollups.last_step then excluded.last else run_metric_rollups.last end,
       last_step = greatest(run_metric_rollups.last_step, excluded.last_step)`;

/** Folds points into the rollups (bulk loads; ingest does it inside its own statement). */
/** `points`: a JSON array of `{k: key, s: step, v: value}`. */
export async function updateRollups(client: pg.PoolClient, runId: string, points: string) {
  await client.query(rollupUpsert('json_to_recordset($3::json) as m(k text, s int, v float8)', '$1', '$2'), [
    runId,
    [...ROLLUP_WIDTHS],
    points,
  ]);
}
