import { join } from 'node:path';
import { ArtifactStore } from './artifact-store.js';
import { FsObjectStore } from './fs-object-store.js';
import type { ObjectStore } from './object-store.js';
import { RowStore } from './row-store.js';
import { UploadStore } from './upload-store.js';

/**
 * Every stored file of the platform, behind one object store: dataset row sets, uploads and run
 * artifacts, each content-addressed. Callers use keys and streams; the filesystem implementation
 * keeps the DATA_DIR layout (`datasets/rows/…`, `uploads/blobs/…`, `artifacts/…`), which backups copy.
 */
export interface Storage {
  rows: RowStore;
  uploads: UploadStore;
  artifacts: ArtifactStore;
  /** Removes partial writes a killed process left behind (older than a day: nobody is still writing them). */
  sweep(): Promise<number>;
}

function storageOn(objects: ObjectStore, uploadsIncoming: string): Storage {
  return {
    rows: new RowStore(objects),
    uploads: new UploadStore(objects, uploadsIncoming),
    artifacts: new ArtifactStore(objects),
    sweep: () => objects.sweepStaged(['datasets', 'uploads', 'artifacts'], 24 * 3600 * 1000),
  };
}

/** Storage in a local (or shared, e.g. NFS) directory: DATA_DIR. */
export function fsStorage(dataDir: string): Storage {
  return storageOn(new FsObjectStore(dataDir), join(dataDir, 'uploads', 'incoming'));
}
