import type pg from 'pg';
import { updateRollups } from '../src/modules/run/metric-history.js';

/**
 * Loads a long 'loss' series straight into run_metrics (steps 1..n, `value(step)`) and folds it into the
 * rollups in 10 batches, as ingest would: history tests and benchmarks start from a big series fast.
 */
export async function loadLossSeries(pool: pg.Pool, runId: string, n: number, value: (step: number) => number) {
  const steps = Array.from({ length: n }, (_, i) => i + 1);
  await pool.query(
    `insert into run_metrics (run_id, key, step, value, attempt, time)
     select $1, 'loss', s, v, 1, now() from unnest($2::int[], $3::float8[]) as m(s, v)`,
    [runId, steps, steps.map(value)],
  );
  for (let i = 0; i < n; i += n / 10)
    await updateRollups(
      pool,
      runId,
      steps.slice(i, i + n / 10).map((s) => ({ k: 'loss', s, v: value(s) })),
    );
}
