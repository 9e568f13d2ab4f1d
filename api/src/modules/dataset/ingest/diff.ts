import type { RowStore } from '../../../storage/row-store.js';
import { rowKey } from './analyze.js';

export interface DiffPage {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  entries: { kind: 'ADDED' | 'REMOVED' | 'CHANGED'; baseIndex: number | null; headIndex: number | null }[];
}

async function keysOf(store: RowStore, hash: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const { line } of store.scan(hash)) keys.push(rowKey(JSON.parse(line)));
  return keys;
}

/**
 * Content diff of two row sets: rows only in head are added, rows only in base removed (as
 * multisets, so duplicates count); an added and a removed row at the same position are one change.
 * Entries come in position order, paged.
 */
export async function diffRowSets(
  store: RowStore,
  baseHash: string,
  headHash: string,
  offset: number,
  limit: number,
): Promise<DiffPage> {
  const [base, head] = await Promise.all([keysOf(store, baseHash), keysOf(store, headHash)]);
  const remaining = new Map<string, number>();
  for (const k of base) remaining.set(k, (remaining.get(k) ?? 0) + 1);
  const addedAt: number[] = [];
  let unchanged = 0;
  head.forEach((k, i) => {
    const left = remaining.get(k) ?? 0;
    if (left > 0) {
      remaining.set(k, left - 1);
      unchanged++;
    } else addedAt.push(i);
  });
  // Head rows matched the earliest copies of each row, so the copies left over are the last ones.
  const removedAt: number[] = [];
  for (let i = base.length - 1; i >= 0; i--) {
    const left = remaining.get(base[i]) ?? 0;
    if (left > 0) {
      remaining.set(base[i], left - 1);
      removedAt.push(i);
    }
  }
  const removedSet = new Set(removedAt);
  const addedSet = new Set(addedAt);
  const entries: DiffPage['entries'] = [];
  let changed = 0;
  const positions = [...new Set([...addedAt, ...removedAt])].sort((a, b) => a - b);
  for (const p of positions) {
    if (addedSet.has(p) && removedSet.has(p)) {
      entries.push({ kind: 'CHANGED', baseIndex: p, headIndex: p });
      changed++;
    } else if (removedSet.has(p)) entries.push({ kind: 'REMOVED', baseIndex: p, headIndex: null });
    if (addedSet.has(p) && !removedSet.has(p)) entries.push({ kind: 'ADDED', baseIndex: null, headIndex: p });
  }
  return {
    added: addedAt.length - changed,
    removed: removedAt.length - changed,
    changed,
    unchanged,
    entries: entries.slice(offset, offset + limit),
  };
}
