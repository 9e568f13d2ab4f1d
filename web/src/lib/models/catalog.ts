import type { BaseModelFieldsFragment } from '$lib/graphql/generated/graphql';

export type BaseModel = BaseModelFieldsFragment;

/** Columns the comparison table sorts by. Memory follows the parameter count for every method. */
export const SORT_KEYS = [
  'name',
  'params',
  'contextLength',
  'licence',
  'template',
  'thinking',
  'architecture',
  'memory',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

/** The most models the compare view puts side by side. */
export const MAX_COMPARE = 4;

/** `Qwen/Qwen3-8B` → `{ org: 'Qwen', name: 'Qwen3-8B' }`. */
export function splitModelId(id: string): { org: string; name: string } {
  const slash = id.indexOf('/');
  return slash < 0 ? { org: '', name: id } : { org: id.slice(0, slash), name: id.slice(slash + 1) };
}

/** Families in catalogue order, each once. */
export function familiesOf(models: BaseModel[]): string[] {
  return [...new Set(models.map((m) => m.family))];
}

function sortValue(model: BaseModel, key: SortKey): string | number {
  switch (key) {
    case 'name':
      return splitModelId(model.id).name.toLowerCase();
    case 'params':
    case 'memory':
      return model.params;
    case 'contextLength':
      return model.contextLength;
    case 'thinking':
      return model.thinking ? 1 : 0;
    default:
      return model[key].toLowerCase();
  }
}

/** A sorted copy; ties keep catalogue order (Array.prototype.sort is stable). */
export function sortModels(models: BaseModel[], key: SortKey, direction: SortDirection): BaseModel[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...models].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * sign;
    return String(x).localeCompare(String(y), 'en', { numeric: true }) * sign;
  });
}

/** Clicking a header: the same column flips its direction, a new one starts ascending. */
export function nextSort(
  current: { key: SortKey; direction: SortDirection },
  key: SortKey,
): { key: SortKey; direction: SortDirection } {
  if (current.key !== key) return { key, direction: 'asc' };
  return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
}

/** Adds or removes `id` from the comparison; adding beyond the limit does nothing. */
export function toggleCompare(selected: string[], id: string, max = MAX_COMPARE): string[] {
  if (selected.includes(id)) return selected.filter((s) => s !== id);
  return selected.length >= max ? selected : [...selected, id];
}

/** Context windows as model cards write them: 32768 → `32K`, 131072 → `128K`. */
export function formatContext(tokens: number): string {
  return tokens % 1024 === 0 ? `${tokens / 1024}K` : String(tokens);
}
