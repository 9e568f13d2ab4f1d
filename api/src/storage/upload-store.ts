import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { BlobStore } from './blob-store.js';
import type { ObjectStore } from './object-store.js';

/**
 * Uploaded files at `uploads/blobs/ab/<sha256>`, never under the client's name. Uploads in progress
 * are tus files in `incomingDir` (a local folder; an S3 deployment would give tus its S3 store);
 * `finish` moves a complete one to its content address.
 */
export class UploadStore extends BlobStore {
  constructor(
    objects: ObjectStore,
    private readonly incomingDir: string,
  ) {
    super(objects, 'uploads/blobs', 'upload');
  }

  /** The tus datastore for uploads in progress. */
  tusDatastore() {
    return new FileStore({ directory: this.incomingDir });
  }

  /** Stores a finished tus upload under its SHA-256 (once, if those bytes are already stored) and returns it. */
  async finish(uploadId: string): Promise<string> {
    const source = join(this.incomingDir, uploadId);
    const hash = createHash('sha256');
    await pipeline(createReadStream(source), hash);
    const sha256 = hash.digest('hex');
    if (await this.exists(sha256)) await rm(source);
    else await this.objects.putFile(this.key(sha256), source);
    await rm(`${source}.json`, { force: true });
    return sha256;
  }
}
