import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import {
  checkKey,
  ObjectNotFoundError,
  type ObjectStore,
  type RangeReader,
  type StagedObject,
} from './object-store.js';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

/**
 * Objects as files under one root (DATA_DIR): the key is the relative path. A write goes to
 * `<first segment>/tmp/<uuid>` and is renamed into place once whole, so a reader never sees a partial
 * file under its key, and a process killed mid-write leaves only a staged file (`sweepStaged`).
 */
export class FsObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  private path(key: string) {
    return join(this.root, checkKey(key));
  }

  private stagingDir(near: string) {
    return join(this.root, checkKey(near).split('/')[0], 'tmp');
  }

  async put(key: string, body: Readable | Buffer) {
    const staged = await this.stage(key);
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, staged.stream);
      await staged.commit(key);
    } catch (error) {
      await staged.abort();
      throw error;
    }
    return { sizeBytes: await this.size(key) };
  }

  async stage(near: string): Promise<StagedObject> {
    const dir = this.stagingDir(near);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, randomUUID());
    const stream = createWriteStream(tmp);
    // Staged once the file exists (a write refused by the disk fails here, and the staged file is visible).
    await once(stream, 'ready');
    // An error is reported by commit (via `finished`) or ignored by abort; never left unhandled.
    stream.on('error', () => {});
    const settle = async () => {
      if (!stream.writableEnded) stream.end();
      await finished(stream);
    };
    return {
      stream,
      commit: async (key) => {
        const target = this.path(key);
        await settle();
        await mkdir(dirname(target), { recursive: true });
        await rename(tmp, target);
      },
      abort: async () => {
        await settle().catch(() => {});
        await rm(tmp, { force: true });
      },
    };
  }

  async open(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    const path = this.path(key);
    // Opened before the stream is handed out, so a missing object is an error here, not on the stream.
    const handle = await open(path, 'r').catch((error) => {
      throw isMissing(error) ? new ObjectNotFoundError(key) : error;
    });
    const end = range?.end;
    if (end !== undefined && end <= (range?.start ?? 0)) {
      await handle.close();
      return Readable.from([]);
    }
    return createReadStream('', { fd: handle, start: range?.start, end: end === undefined ? undefined : end - 1 });
  }

  async read(key: string): Promise<Buffer> {
    return readFile(this.path(key)).catch((error) => {
      throw isMissing(error) ? new ObjectNotFoundError(key) : error;
    });
  }

  async reader(key: string): Promise<RangeReader> {
    const handle = await open(this.path(key), 'r').catch((error) => {
      throw isMissing(error) ? new ObjectNotFoundError(key) : error;
    });
    return {
      read: async (start, length) => {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, start);
        return bytesRead < length ? buffer.subarray(0, bytesRead) : buffer;
      },
      close: () => handle.close(),
    };
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.path(key)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async size(key: string): Promise<number> {
    const s = await stat(this.path(key)).catch((error) => {
      throw isMissing(error) ? new ObjectNotFoundError(key) : error;
    });
    return s.size;
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
    // Leave the folders: another writer may be about to rename into them.
  }

  async withLocalFile<T>(key: string, fn: (path: string) => Promise<T>): Promise<T> {
    if (!(await this.exists(key))) throw new ObjectNotFoundError(key);
    return fn(this.path(key));
  }

  async putFile(key: string, path: string): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(path, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // Another disk: copy beside the target, then rename (never a partial file under the key).
      const staged = join(this.stagingDir(key), randomUUID());
      await mkdir(dirname(staged), { recursive: true });
      await copyFile(path, staged);
      await rename(staged, target);
      await rm(path, { force: true });
    }
  }

  async sweepStaged(near: string[], olderThanMs: number): Promise<number> {
    let removed = 0;
    for (const prefix of near) {
      const dir = this.stagingDir(prefix);
      const entries = await readdir(dir).catch(() => [] as string[]);
      for (const entry of entries) {
        const path = join(dir, entry);
        const s = await stat(path).catch(() => null);
        if (s && Date.now() - s.mtimeMs > olderThanMs) {
          await rm(path, { recursive: true, force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}
