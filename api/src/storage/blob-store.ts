import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fanOut, type ObjectStore } from './object-store.js';

export class BlobTooLargeError extends Error {}

/**
 * Files named by the SHA-256 of their content under `prefix` (`<prefix>/ab/ab12…`): the same bytes
 * are stored once, and a name says exactly what it holds.
 */
export class BlobStore {
  constructor(
    protected readonly objects: ObjectStore,
    private readonly prefix: string,
    private readonly what: string,
  ) {}

  key(hash: string) {
    return `${this.prefix}/${fanOut(hash, this.what)}`;
  }

  /** Streams `body` in; nothing is kept unless it arrived whole and within `maxBytes`. */
  async put(body: Readable | Buffer, maxBytes = Number.MAX_SAFE_INTEGER) {
    const staged = await this.objects.stage(this.prefix);
    const sha = createHash('sha256');
    const what = this.what;
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new BlobTooLargeError(`${what} is larger than ${maxBytes} bytes`));
        sha.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, count, staged.stream);
      const hash = sha.digest('hex');
      if (await this.exists(hash)) await staged.abort();
      else await staged.commit(this.key(hash));
      return { hash, sizeBytes: size };
    } catch (error) {
      await staged.abort();
      throw error;
    }
  }

  async open(hash: string, range?: { start: number; end?: number }) {
    return this.objects.open(this.key(hash), range);
  }

  async exists(hash: string) {
    return this.objects.exists(this.key(hash));
  }

  async size(hash: string) {
    return this.objects.size(this.key(hash));
  }

  async delete(hash: string) {
    return this.objects.delete(this.key(hash));
  }

  /** The blob as a local file for `fn` (see ObjectStore.withLocalFile). */
  async withLocalFile<T>(hash: string, fn: (path: string) => Promise<T>) {
    return this.objects.withLocalFile(this.key(hash), fn);
  }
}
