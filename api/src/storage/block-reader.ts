import type { RangeReader } from './object-store.js';

/** Blocks fetched whole and kept, least recently used dropped first: a page of rows is one request. */
const BLOCK = 1024 ** 2;
const BLOCKS_KEPT = 8;

/**
 * A RangeReader over an object of `size` bytes that only has ranged GETs (`fetch(start, end)`, end
 * exclusive): small reads come from cached 1 MiB blocks, so neighbouring reads (row pages, a row
 * and its index) cost one request; a read larger than a block is fetched as it is.
 */
export function blockReader(size: number, fetch: (start: number, end: number) => Promise<Buffer>): RangeReader {
  const blocks = new Map<number, Promise<Buffer>>();
  const block = (n: number) => {
    let got = blocks.get(n);
    if (got)
      blocks.delete(n); // re-inserted below: most recently used last
    else {
      got = fetch(n * BLOCK, Math.min((n + 1) * BLOCK, size));
      got.catch(() => blocks.delete(n));
    }
    blocks.set(n, got);
    if (blocks.size > BLOCKS_KEPT) blocks.delete(blocks.keys().next().value!);
    return got;
  };
  return {
    read: async (start, length) => {
      const end = Math.min(start + length, size);
      if (end <= start) return Buffer.alloc(0);
      if (end - start > BLOCK) return fetch(start, end);
      const first = Math.floor(start / BLOCK);
      const last = Math.floor((end - 1) / BLOCK);
      const parts = await Promise.all(Array.from({ length: last - first + 1 }, (_, i) => block(first + i)));
      return Buffer.concat(parts).subarray(start - first * BLOCK, end - first * BLOCK);
    },
    close: async () => blocks.clear(),
  };
}
