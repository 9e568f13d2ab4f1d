import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ByteWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { AppError } from '../../errors.js';
import type { RowStore } from '../../storage/row-store.js';

/** A row group is written once it holds this many characters or rows (memory is about one group). */
const GROUP_CHARS = 1024 * 1024;
const GROUP_ROWS = 10_000;

type Splits = { train: number; validation: number; test: number } | null;

/**
 * Writes a row set as Parquet to `out`, one row group at a time as rows stream from the store, so
 * memory stays about one row group whatever the version's size. Every field is a string column (JSON
 * text for non-strings, '' where a row lacks it), in order of first appearance, plus `split` when the
 * version has splits. Two passes over the row file: the first finds the columns the schema needs.
 */
export async function writeParquet(store: RowStore, hash: string, splits: Splits, out: Writable): Promise<void> {
  const names: string[] = [];
  const seen = new Set<string>();
  for await (const { line } of store.scan(hash)) {
    for (const key of Object.keys(JSON.parse(line) as object)) {
      if (seen.has(key)) continue;
      seen.add(key);
      names.push(key);
    }
  }
  const all = splits ? [...names, 'split'] : names;
  const schema = schemaFromColumnData({ columnData: all.map((name) => ({ name, data: [], type: 'STRING' as const })) });

  const writer: ByteWriter & { flush?: () => Promise<void> } = new ByteWriter();
  /** Hands what the writer holds to `out` and waits while `out` is full (backpressure). */
  const drain = async () => {
    if (writer.index === 0) return;
    const chunk = Buffer.from(writer.getBytes()); // a copy: the writer reuses its buffer
    writer.index = 0;
    if (out.destroyed) throw new AppError('CONFLICT', 'The client went away during the download');
    if (!out.write(chunk)) {
      // A client that goes away never drains: stop instead of waiting for ever.
      const stop = new AbortController();
      try {
        const drained = once(out, 'drain', { signal: stop.signal }).then(() => 'drained' as const);
        const closed = once(out, 'close', { signal: stop.signal }).then(() => 'closed' as const);
        drained.catch(() => {}); // the loser rejects when aborted below
        closed.catch(() => {});
        if ((await Promise.race([drained, closed])) === 'closed')
          throw new AppError('CONFLICT', 'The client went away during the download');
      } finally {
        stop.abort(); // removes both listeners
      }
    }
  };
  writer.flush = drain;
  writer.finish = drain;
  const parquet = new ParquetWriter({ writer, schema, statisticsTruncateLength: 256 });

  let columns = all.map(() => [] as string[]);
  let chars = 0;
  const writeGroup = async () => {
    const rows = columns[0]?.length ?? 0;
    if (rows === 0) return;
    await parquet.write({ columnData: all.map((name, i) => ({ name, data: columns[i] })), rowGroupSize: rows });
    columns = all.map(() => []);
    chars = 0;
  };
  const splitOf = (i: number) =>
    !splits ? '' : i < splits.train ? 'train' : i < splits.train + splits.validation ? 'validation' : 'test';

  for await (const { index, line } of store.scan(hash)) {
    const row = JSON.parse(line) as Record<string, unknown>;
    for (let c = 0; c < names.length; c++) {
      const value = row[names[c]];
      columns[c].push(value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));
    }
    if (splits) columns[names.length].push(splitOf(index));
    chars += line.length;
    if (chars >= GROUP_CHARS || columns[0].length >= GROUP_ROWS) await writeGroup();
  }
  await writeGroup();
  await parquet.finish();
}
