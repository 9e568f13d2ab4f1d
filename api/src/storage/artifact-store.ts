import { BlobStore, BlobTooLargeError } from './blob-store.js';
import type { ObjectStore } from './object-store.js';

/** A put over its size limit (RUN_ARTIFACT_MAX_BYTES): nothing was kept. */
export { BlobTooLargeError as ArtifactTooLargeError };

/** Run artifacts (checkpoint and model archives, tar.gz) at `artifacts/ab/<sha256>`. */
export class ArtifactStore extends BlobStore {
  constructor(objects: ObjectStore) {
    super(objects, 'artifacts', 'artifact');
  }
}
