import type { RunDetailFieldsFragment } from '$lib/graphql/generated/graphql';

/** At most this many runs side by side: beyond it lines and columns stop being readable. */
export const MAX_COMPARED = 8;

/** `?ids=a,b,,a` → ['a', 'b']: unique, non-empty, in the order given, capped. */
export function parseCompareIds(param: string | null): string[] {
  const ids = (param ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  return [...new Set(ids)].slice(0, MAX_COMPARED);
}

/** What a run was trained with, as one object for diffConfigs: model, data, method, then its config. */
export function comparableConfig(run: RunDetailFieldsFragment): Record<string, unknown> {
  return {
    baseModelId: run.baseModelId,
    dataset: `${run.datasetVersion.dataset.name} v${run.datasetVersion.number}`,
    method: run.method,
    objective: run.objective,
    ...run.config,
  };
}

export interface FinalMetricRow {
  key: string;
  /** One per run, in the runs' order; null where that run did not report it. */
  values: (number | null)[];
  /** The run with the lowest value, for losses (lower is better); null otherwise or on a tie. */
  best: number | null;
}

/** Final metrics side by side: one row per numeric metric any run reported, sorted by name. */
export function finalMetricRows(runs: readonly { finalMetrics: Record<string, unknown> | null }[]): FinalMetricRow[] {
  const keys = new Set<string>();
  for (const run of runs)
    for (const [key, value] of Object.entries(run.finalMetrics ?? {})) if (typeof value === 'number') keys.add(key);
  return [...keys].sort().map((key) => {
    const values = runs.map((run) => {
      const value = run.finalMetrics?.[key];
      return typeof value === 'number' ? value : null;
    });
    const present = values.filter((v): v is number => v !== null);
    const lowest = Math.min(...present);
    const unique = present.filter((v) => v === lowest).length === 1 && present.length > 1;
    return { key, values, best: key.includes('loss') && unique ? values.indexOf(lowest) : null };
  });
}
