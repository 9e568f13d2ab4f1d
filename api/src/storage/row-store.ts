import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { fanOut, type ObjectStore, type StagedObject } from './object-store.js';

/**
 * Immutable, content-addressed row sets: `datasets/rows/ab/<sha256>/rows.jsonl` (one JSON row per
 * line) and `rows.idx` (little-endian uint64 byte offsets, rows + 1 entries), so any page at any
 * offset is two small reads, whatever the size. The hash is of the rows file: same rows, same hash,
 * stored once. `rows.idx` is written last: a row set exists once its index does.
 */
export class RowStore {
  constructor(private readonly objects: ObjectStore) {}

  private key(hash: string, file: 'rows.jsonl' | 'rows.idx') {
    return `datasets/rows/${fanOut(hash, 'row-set')}/${file}`;
  }

  async exists(hash: string): Promise<boolean> {
    return this.objects.exists(this.key(hash, 'rows.idx'));
  }

  /** Starts writing a new row set; `commit()` names it by its hash. */
  async writer(): Promise<RowWriter> {
    const rows = await this.objects.stage('datasets');
    return new RowWriter(rows, async (hash, index) => {
      if (await this.exists(hash)) {
        await rows.abort();
        return false;
      }
      await rows.commit(this.key(hash, 'rows.jsonl'));
      await this.objects.put(this.key(hash, 'rows.idx'), index);
      return true;
    });
  }

  async count(hash: string): Promise<number> {
    return (await this.objects.size(this.key(hash, 'rows.idx'))) / 8 - 1;
  }

  /** Bytes the row set takes (rows and index), as counted in the storage quotas. */
  async size(hash: string): Promise<number> {
    const [rows, idx] = await Promise.all([
      this.objects.size(this.key(hash, 'rows.jsonl')),
      this.objects.size(this.key(hash, 'rows.idx')),
    ]);
    return rows + idx;
  }

  /** Rows [offset, offset + limit) as parsed JSON. */
  async read(hash: string, offset: number, limit: number): Promise<unknown[]> {
    const total = await this.count(hash);
    const from = Math.min(offset, total);
    const to = Math.min(offset + limit, total);
    if (to <= from) return [];
    const offsets = await this.readRange(this.key(hash, 'rows.idx'), from * 8, (to - from + 1) * 8);
    const start = Number(offsets.readBigUInt64LE(0));
    const end = Number(offsets.readBigUInt64LE(offsets.length - 8));
    const bytes = await this.readRange(this.key(hash, 'rows.jsonl'), start, end - start);
    return bytes
      .toString('utf8')
      .split('\n', to - from)
      .map((line) => JSON.parse(line));
  }

  private async readRange(key: string, start: number, length: number) {
    const reader = await this.objects.reader(key);
    try {
      return await reader.read(start, length);
    } finally {
      await reader.close();
    }
  }

  /** The rows file as a stream (downloads): one JSON row per line. */
  async open(hash: string) {
    return this.objects.open(this.key(hash, 'rows.jsonl'));
  }

  /** Streams every row with its index (for search, diff, pipelines, downloads). */
  async *scan(hash: string): AsyncGenerator<{ index: number; line: string }> {
    let index = 0;
    const input = await this.open(hash);
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (line) yield { index: index++, line };
    }
  }

  /** Rows in the given order (any permutation or subset of indices), streamed. */
  async *readOrdered(hash: string, order: ArrayLike<number>): AsyncGenerator<string> {
    const idx = await this.objects.read(this.key(hash, 'rows.idx'));
    const rows = await this.objects.reader(this.key(hash, 'rows.jsonl'));
    try {
      for (let i = 0; i < order.length; i++) {
        const start = Number(idx.readBigUInt64LE(order[i] * 8));
        const end = Number(idx.readBigUInt64LE(order[i] * 8 + 8));
        const bytes = await rows.read(start, end - start - 1);
        yield bytes.toString('utf8');
      }
    } finally {
      await rows.close();
    }
  }

  /** Deletes a row set (its index first: it stops existing at once). Only for sets nothing refers to. */
  async delete(hash: string): Promise<void> {
    await this.objects.delete(this.key(hash, 'rows.idx'));
    await this.objects.delete(this.key(hash, 'rows.jsonl'));
  }
}

/** Rows are gathered into chunks of this size: one hash update and one write per chunk, not per row. */
const CHUNK_BYTES = 1024 * 1024;

export class RowWriter {
  private readonly rows: Writable;
  private readonly hash = createHash('sha256');
  // Byte offsets of row ends, grown by doubling (a plain array of millions of numbers costs more).
  private offsets = new Float64Array(1024);
  private rowCount = 0;
  private position = 0;
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  constructor(
    private readonly staged: StagedObject,
    /** Stores the rows under their hash with this index; false when that row set already existed. */
    private readonly publish: (hash: string, index: Buffer) => Promise<boolean>,
  ) {
    this.rows = staged.stream;
  }

  get count() {
    return this.rowCount;
  }

  /** Appends one row; waits when the disk is slower than the parser (constant memory). */
  async push(row: unknown): Promise<void> {
    return this.pushLine(JSON.stringify(row));
  }

  /** Appends a row already serialised with JSON.stringify (saves serialising twice). */
  async pushLine(json: string): Promise<void> {
    this.append(json);
    return this.drained();
  }

  /**
   * Appends a serialised row without waiting; call `drained()` every so often (after a batch of
   * rows) so that memory stays bounded when the disk is slower than the parser.
   */
  append(json: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8, plus the newline.
    const most = json.length * 3 + 1;
    if (this.used + most > this.chunk.length) {
      this.flush();
      if (most > this.chunk.length) this.chunk = Buffer.allocUnsafe(most);
    }
    const bytes = this.chunk.write(json, this.used, 'utf8') + 1;
    this.chunk[this.used + bytes - 1] = 0x0a;
    this.used += bytes;
    this.position += bytes;
    this.pushOffset();
  }

  /** Appends a row already serialised and encoded as UTF-8 (`src[start, end)`), without waiting. */
  appendBytes(src: Uint8Array, start: number, end: number): void {
    const most = end - start + 1;
    if (this.used + most > this.chunk.length) {
      this.flush();
      if (most > this.chunk.length) this.chunk = Buffer.allocUnsafe(most);
    }
    this.chunk.set(src.subarray(start, end), this.used);
    this.chunk[this.used + most - 1] = 0x0a;
    this.used += most;
    this.position += most;
    this.pushOffset();
  }

  private pushOffset() {
    if (this.rowCount + 1 >= this.offsets.length) {
      const grown = new Float64Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[++this.rowCount] = this.position;
  }

  /** Resolves once the file stream has room again (at once when it has). */
  async drained(): Promise<void> {
    // Asked of the stream itself: a 'drain' may already have passed while the caller was away.
    if (this.rows.writableNeedDrain) await new Promise<void>((resolve) => this.rows.once('drain', () => resolve()));
  }

  /** Hands the gathered bytes to the hash and the file; the stream keeps the buffer, so start a new one. */
  private flush() {
    if (this.used === 0) return;
    const bytes = this.chunk.subarray(0, this.used);
    this.hash.update(bytes);
    this.rows.write(bytes);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
  }

  /** Finishes the rows, stores them under their hash with their index, and returns the hash. */
  async commit(): Promise<{ hash: string; rows: number; bytes: number; created: boolean }> {
    this.flush();
    const index = Buffer.alloc((this.rowCount + 1) * 8);
    for (let i = 0; i <= this.rowCount; i++) {
      const o = this.offsets[i];
      index.writeUInt32LE(o % 2 ** 32, i * 8);
      index.writeUInt32LE(Math.floor(o / 2 ** 32), i * 8 + 4);
    }
    const hash = this.hash.digest('hex');
    let created: boolean;
    try {
      created = await this.publish(hash, index);
    } catch (error) {
      await this.staged.abort();
      throw error;
    }
    return { hash, rows: this.count, bytes: this.position, created };
  }

  async abort(): Promise<void> {
    await this.staged.abort();
  }
}
