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

export interface MetricPoint {
  k: string;
  s: number;
  v: number;
}

/**
 * A batch's contribution to the rollups: per key, width and bucket its min, max and last value. Folded
 * here, not in SQL: the ingest statement's database time is the scarcer one.
 */
export function rollupsOf(points: MetricPoint[]) {
  const rows = new Map<string, { k: string; w: number; b: number; min: number; max: number; ls: number; l: number }>();
  for (const p of points)
    for (const w of ROLLUP_WIDTHS) {
      const b = Math.trunc(p.s / w); // as SQL's integer division
      const id = `${p.k}\u0000${w}\u0000${b}`;
      const r = rows.get(id);
      if (!r) rows.set(id, { k: p.k, w, b, min: p.v, max: p.v, ls: p.s, l: p.v });
      else {
        r.min = Math.min(r.min, p.v);
        r.max = Math.max(r.max, p.v);
        if (p.s >= r.ls) Object.assign(r, { ls: p.s, l: p.v });
      }
    }
  return [...rows.values()];
}

/**
 * The statement merging `rows` (SQL text of a JSON parameter holding `rollupsOf(...)`) into the run's
 * rollups; `where` guards it inside a larger statement.
 */
export const rollupUpsert = (run: string, rows: string, where = 'true') =>
  `insert into run_metric_rollups (run_id, key, width, bucket, min, max, last_step, last)
     select ${run}, r.k, r.w, r.b, r.min, r.max, r.ls, r.l
       from json_to_recordset(${rows}::json) as r(k text, w int, b int, min float8, max float8, ls int, l float8)
      where ${where}
     on conflict (run_id, key, width, bucket) do update set
       min = least(run_metric_rollups.min, excluded.min),
       max = greatest(run_metric_rollups.max, excluded.max),
       last = case when excluded.last_step >= run_metric_rollups.last_step then excluded.last else run_metric_rollups.last end,
       last_step = greatest(run_metric_rollups.last_step, excluded.last_step)`;

/** Folds points into the rollups (bulk loads; ingest does it inside its own statement). */
export async function updateRollups(db: pg.Pool | pg.PoolClient, runId: string, points: MetricPoint[]) {
  await db.query(rollupUpsert('$1', '$2'), [runId, JSON.stringify(rollupsOf(points))]);
}
