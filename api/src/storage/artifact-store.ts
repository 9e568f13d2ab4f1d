import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class ArtifactTooLargeError extends Error {}

/**
 * Run artifacts (checkpoint and model archives) in the data directory, named by the SHA-256 of their
 * content. The same small interface an S3-compatible store would implement.
 */
export class ArtifactStore {
  constructor(private readonly root: string) {}

  path(hash: string) {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not an artifact hash: ${hash}`);
    return join(this.root, hash.slice(0, 2), hash);
  }

  /** Streams `body` in; nothing is kept unless it arrived whole and within `maxBytes`. */
  async put(body: Readable, maxBytes: number): Promise<{ hash: string; sizeBytes: number }> {
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    const tmp = join(this.root, 'tmp', randomUUID());
    const sha = createHash('sha256');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new ArtifactTooLargeError(`artifact is larger than ${maxBytes} bytes`));
        sha.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, count, createWriteStream(tmp));
      const hash = sha.digest('hex');
      const target = this.path(hash);
      await mkdir(join(this.root, hash.slice(0, 2)), { recursive: true });
      await rename(tmp, target);
      return { hash, sizeBytes: size };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  open(hash: string) {
    return createReadStream(this.path(hash));
  }

  async exists(hash: string): Promise<boolean> {
    return stat(this.path(hash)).then(
      () => true,
      () => false,
    );
  }

  async size(hash: string): Promise<number> {
    return (await stat(this.path(hash))).size;
  }
}
