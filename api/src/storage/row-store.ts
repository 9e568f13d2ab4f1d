import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Immutable, content-addressed row files: `rows/<sha256>/rows.jsonl` (one JSON row per line) and
 * `rows.idx` (little-endian uint64 byte offsets, rows + 1 entries), so any page at any offset is two
 * small reads, whatever the size. The hash is of the rows file: same rows, same hash, stored once.
 */
export class RowStore {
  constructor(private readonly root: string) {}

  dir(hash: string) {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error('invalid row-set hash');
    return join(this.root, 'rows', hash.slice(0, 2), hash);
  }

  exists(hash: string) {
    return existsSync(join(this.dir(hash), 'rows.idx'));
  }

  /** Starts writing a new row set; `commit()` names it by its hash. */
  async writer(): Promise<RowWriter> {
    const tmp = join(this.root, 'tmp', randomUUID());
    await mkdir(tmp, { recursive: true });
    return new RowWriter(tmp, (hash) => this.dir(hash));
  }

  async count(hash: string): Promise<number> {
    const { size } = await stat(join(this.dir(hash), 'rows.idx'));
    return size / 8 - 1;
  }

  /** Rows [offset, offset + limit) as parsed JSON. */
  async read(hash: string, offset: number, limit: number): Promise<unknown[]> {
    const dir = this.dir(hash);
    const total = await this.count(hash);
    const from = Math.min(offset, total);
    const to = Math.min(offset + limit, total);
    if (to <= from) return [];
    const idx = await open(join(dir, 'rows.idx'), 'r');
    const offsets = Buffer.alloc((to - from + 1) * 8);
    try {
      await idx.read(offsets, 0, offsets.length, from * 8);
    } finally {
      await idx.close();
    }
    const start = Number(offsets.readBigUInt64LE(0));
    const end = Number(offsets.readBigUInt64LE(offsets.length - 8));
    const rows = await open(join(dir, 'rows.jsonl'), 'r');
    const bytes = Buffer.alloc(end - start);
    try {
      await rows.read(bytes, 0, bytes.length, start);
    } finally {
      await rows.close();
    }
    return bytes
      .toString('utf8')
      .split('\n', to - from)
      .map((line) => JSON.parse(line));
  }

  /** Streams every row with its index (for search, diff, pipelines, downloads). */
  async *scan(hash: string): AsyncGenerator<{ index: number; line: string }> {
    let index = 0;
    const input = createReadStream(join(this.dir(hash), 'rows.jsonl'));
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (line) yield { index: index++, line };
    }
  }

  /** Rows in the given order (any permutation or subset of indices), streamed. */
  async *readOrdered(hash: string, order: ArrayLike<number>): AsyncGenerator<string> {
    const dir = this.dir(hash);
    const idx = await readFile(join(dir, 'rows.idx'));
    const rows = await open(join(dir, 'rows.jsonl'), 'r');
    try {
      for (let i = 0; i < order.length; i++) {
        const start = Number(idx.readBigUInt64LE(order[i] * 8));
        const end = Number(idx.readBigUInt64LE(order[i] * 8 + 8));
        const bytes = Buffer.alloc(end - start - 1);
        await rows.read(bytes, 0, bytes.length, start);
        yield bytes.toString('utf8');
      }
    } finally {
      await rows.close();
    }
  }

  /** Deletes a row set. Only for sets this process just created and nothing refers to. */
  async remove(hash: string): Promise<void> {
    await rm(this.dir(hash), { recursive: true, force: true });
  }

  rowsFile(hash: string) {
    return join(this.dir(hash), 'rows.jsonl');
  }
}

/** Rows are gathered into chunks of this size: one hash update and one write per chunk, not per row. */
const CHUNK_BYTES = 1024 * 1024;

export class RowWriter {
  private readonly rows: WriteStream;
  private readonly hash = createHash('sha256');
  // Byte offsets of row ends, grown by doubling (a plain array of millions of numbers costs more).
  private offsets = new Float64Array(1024);
  private rowCount = 0;
  private position = 0;
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  constructor(
    private readonly tmp: string,
    private readonly target: (hash: string) => string,
  ) {
    this.rows = createWriteStream(join(tmp, 'rows.jsonl'));
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

  /** Finishes the file, moves it to its content address and returns the hash. */
  async commit(): Promise<{ hash: string; rows: number; bytes: number; created: boolean }> {
    this.flush();
    await new Promise<void>((resolve, reject) => this.rows.end((e?: Error | null) => (e ? reject(e) : resolve())));
    const index = Buffer.alloc((this.rowCount + 1) * 8);
    for (let i = 0; i <= this.rowCount; i++) {
      const o = this.offsets[i];
      index.writeUInt32LE(o % 2 ** 32, i * 8);
      index.writeUInt32LE(Math.floor(o / 2 ** 32), i * 8 + 4);
    }
    const idx = await open(join(this.tmp, 'rows.idx'), 'w');
    await idx.write(index);
    await idx.close();
    const hash = this.hash.digest('hex');
    const dir = this.target(hash);
    const created = !existsSync(join(dir, 'rows.idx'));
    if (!created) await rm(this.tmp, { recursive: true, force: true });
    else {
      await mkdir(join(dir, '..'), { recursive: true });
      await rename(this.tmp, dir);
    }
    return { hash, rows: this.count, bytes: this.position, created };
  }

  async abort(): Promise<void> {
    // Let pending writes settle before removing the directory (destroying mid-write throws later).
    await new Promise<void>((resolve) => this.rows.end(() => resolve()));
    await rm(this.tmp, { recursive: true, force: true });
  }
}
