import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { fsStorage } from '../../../storage/storage.js';
import { detect, ingest, type IngestLimits } from './ingest.js';
import { jsonRowElements } from './json-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'llmt-bounded-'));
const store = fsStorage(join(dir, 'store')).rows;
const limits: IngestLimits = {
  maxDecompressedBytes: 2 * 1024 ** 3,
  maxCompressionRatio: 100,
  maxJsonBytes: 1024 ** 3,
  maxRecordChars: 4 * 1024 * 1024,
  maxRowChars: 100_000,
};
const MiB = 1024 * 1024;

/** Writes `total` bytes made by repeating `piece`, between `head` and `tail`, without holding them in memory. */
async function bigFile(name: string, head: string, piece: (i: number) => string, total: number, tail = '') {
  const path = join(dir, name);
  const out = createWriteStream(path);
  out.write(head);
  let written = head.length;
  for (let i = 0; written < total; i++) {
    const s = piece(i);
    written += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  }
  out.end(tail);
  await once(out, 'finish');
  return path;
}

/** Peak RSS growth while `work` runs (sampled; the work is asynchronous, so the sampler gets turns). */
async function rssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - baseline };
  } finally {
    clearInterval(sampler);
  }
}

describe('bounded reads of uploads', () => {
  it('detects a 200 MiB text document from its first part, without reading it whole', async () => {
    const path = await bigFile('corpus.txt', '', (i) => `line ${i} of a long book, `.padEnd(64, '.') + '\n', 200 * MiB);
    const { result, growth } = await rssGrowth(() =>
      detect({ path, filename: 'corpus.txt', textMode: 'document', limits }),
    );
    expect(result.format).toBe('txt');
    expect(result.mapping?.kind).toBe('text');
    expect(growth).toBeLessThan(40 * MiB);
  });

  it('detects a 200 MiB JSON array from its first rows', async () => {
    const row = (i: number) => `${i ? ',' : ''}{"text":"row ${i} ${'y'.repeat(200)}"}`;
    const path = await bigFile('rows.json', '[', row, 200 * MiB, ']');
    const { result, growth } = await rssGrowth(() => detect({ path, filename: 'rows.json', limits }));
    expect(result.format).toBe('json');
    expect(result.sample[0]).toEqual({ text: `row 0 ${'y'.repeat(200)}` });
    expect(growth).toBeLessThan(40 * MiB);
  });

  it('splits a 200 MiB JSON array into rows holding one row at a time', async () => {
    const row = (i: number) =>
      `${i ? ',\n' : ''}{"text":"row ${i} \\"quoted\\" [brackets] {braces} ${'z'.repeat(300)}"}`;
    let rows = 0;
    let last = '';
    const { growth } = await rssGrowth(async () => {
      async function* chunks() {
        yield '[\n';
        let chunk = '';
        for (let i = 0, size = 0; size < 200 * MiB; i++) {
          chunk += row(i);
          if (chunk.length >= 64 * 1024) {
            size += chunk.length;
            yield chunk;
            chunk = '';
          }
        }
        yield chunk + '\n]';
      }
      for await (const elements of jsonRowElements(chunks(), limits.maxRecordChars)) {
        rows += elements.length;
        last = (elements.at(-1) as { text: string }).text;
      }
    });
    expect(rows).toBeGreaterThan(500_000);
    expect(JSON.parse(last).text).toBe(`row ${rows - 1} "quoted" [brackets] {braces} ${'z'.repeat(300)}`);
    expect(growth).toBeLessThan(40 * MiB);
  }, 60_000);

  it('ingests a JSON array row by row (quotes, brackets, escapes)', async () => {
    const row = (i: number) =>
      `${i ? ',\n' : ''}{"text":"row ${i} \\"quoted\\" [brackets] {braces} \\\\ ${'z'.repeat(300)}"}`;
    const path = await bigFile('stream.json', '[\n', row, 20 * MiB, '\n]');
    const result = await ingest(store, { path, filename: 'stream.json', excludeInvalid: false, limits });
    expect(result.rows).toBeGreaterThan(50_000);
    expect(await store.read(result.hash, 1, 1)).toEqual([
      { text: `row 1 "quoted" [brackets] {braces} \\ ${'z'.repeat(300)}` },
    ]);
  }, 60_000);

  it('reads an object of arrays and reports bad elements row by row', async () => {
    const path = join(dir, 'splits.json');
    writeFileSync(
      path,
      JSON.stringify({ name: 'x', train: [{ text: 'a' }, 7, { text: 'b ]}' }], test: [{ text: 'c' }], n: 3 }),
    );
    const result = await ingest(store, { path, filename: 'splits.json', excludeInvalid: true, limits });
    expect(result.rows).toBe(3);
    expect(result.validation.excludedRows + result.validation.invalidRows).toBeGreaterThanOrEqual(0);
    expect(await store.read(result.hash, 0, 3)).toEqual([{ text: 'a' }, { text: 'b ]}' }, { text: 'c' }]);
    const bad = join(dir, 'scalar.json');
    writeFileSync(bad, '"just a string"');
    await expect(ingest(store, { path: bad, filename: 'scalar.json', excludeInvalid: false, limits })).rejects.toThrow(
      /JSON must be an array of rows or an object of arrays/,
    );
  });

  it('refuses a text document longer than the record limit, with the numbers', async () => {
    const path = await bigFile('book.txt', '', () => 'word '.repeat(100) + '\n', 6 * MiB);
    await expect(
      ingest(store, { path, filename: 'book.txt', textMode: 'document', excludeInvalid: false, limits }),
    ).rejects.toThrow(/text document is over 4194304 characters \(the limit\).*lines/);
  });

  it('refuses a large JSONL file whose line never ends (the two-thread path)', async () => {
    const head = '{"text":"a good first row"}\n'.repeat(100) + '{"text":"';
    const path = await bigFile('endless.jsonl', head, () => 'x'.repeat(64 * 1024), 64 * MiB, '"}\n');
    await expect(ingest(store, { path, filename: 'endless.jsonl', excludeInvalid: false, limits })).rejects.toThrow(
      /a line is longer than 4194304 characters \(the limit\)/,
    );
  });

  it('reports one over-long line without holding it whole', async () => {
    const path = await bigFile(
      'oneline.txt',
      'short first line\n',
      () => 'x'.repeat(64 * 1024),
      256 * MiB,
      '\nlast line\n',
    );
    const { result, growth } = await rssGrowth(() =>
      ingest(store, { path, filename: 'oneline.txt', excludeInvalid: true, limits }),
    );
    expect(result.rows).toBe(2);
    expect(JSON.stringify(result.validation)).toMatch(/line is 268\d+ characters; the limit is 4194304/);
    expect(growth).toBeLessThan(64 * MiB);
  }, 60_000);
});
