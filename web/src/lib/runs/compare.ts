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
