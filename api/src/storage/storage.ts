import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Config, StorageConfig } from '../config.js';
import { ArtifactStore } from './artifact-store.js';
import { FsObjectStore } from './fs-object-store.js';
import type { ObjectStore } from './object-store.js';
import { RowStore } from './row-store.js';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store.js';
import { UploadStore } from './upload-store.js';

/**
 * Every stored file of the platform, behind one object store: dataset row sets, uploads and run
 * artifacts, each content-addressed. Callers use keys and streams; the filesystem implementation
 * keeps the DATA_DIR layout (`datasets/rows/…`, `uploads/blobs/…`, `artifacts/…`), which backups
 * copy; the S3 one uses the same keys in a bucket (STORAGE_URL).
 */
export interface Storage {
  rows: RowStore;
  uploads: UploadStore;
  artifacts: ArtifactStore;
  /** Removes partial writes a killed process left behind (older than a day: nobody is still writing them). */
  sweep(): Promise<number>;
  /**
   * Writes and removes a small object, and a file where tus keeps uploads in progress: readiness
   * (permission bits or a HEAD say nothing of whether a write would succeed).
   */
  probe(): Promise<void>;
}

/**
 * `uploadsIncoming` is where tus keeps uploads in progress: a local folder whatever the store (tus's
 * file store appends to a file), shared by the replicas that may receive a resumed upload.
 */
function storageOn(objects: ObjectStore, uploadsIncoming: string): Storage {
  return {
    rows: new RowStore(objects),
    uploads: new UploadStore(objects, uploadsIncoming),
    artifacts: new ArtifactStore(objects),
    sweep: () => objects.sweepStaged(['datasets', 'uploads', 'artifacts'], 24 * 3600 * 1000),
    probe: async () => {
      const name = `ready-${randomUUID()}`;
      await objects.put(`health/${name}`, Buffer.alloc(0));
      await objects.delete(`health/${name}`);
      await mkdir(uploadsIncoming, { recursive: true });
      await writeFile(join(uploadsIncoming, `.${name}`), '');
      await rm(join(uploadsIncoming, `.${name}`), { force: true });
    },
  };
}

/** Storage in a local (or shared, e.g. NFS) directory: DATA_DIR. */
export function fsStorage(dataDir: string): Storage {
  return storageOn(new FsObjectStore(dataDir), join(dataDir, 'uploads', 'incoming'));
}

/** Storage in an S3-compatible bucket; tus's uploads in progress stay under DATA_DIR. */
export function s3Storage(options: S3ObjectStoreOptions, dataDir: string): Storage {
  return storageOn(new S3ObjectStore(options), join(dataDir, 'uploads', 'incoming'));
}

/** An S3 client for STORAGE_URL's bucket, as S3_* configure it. */
export function s3Client(config: Extract<StorageConfig, { kind: 's3' }>): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials: config.credentials,
    // Checksums only where S3 requires them: S3-compatible servers do not all accept the SDK's
    // default trailing checksums (aws-chunked uploads).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Downloads stream for as long as the client reads, each holding a socket; a dead endpoint fails fast.
    requestHandler: { connectionTimeout: 5000, httpAgent: { maxSockets: 256 }, httpsAgent: { maxSockets: 256 } },
  });
}

/** The storage the configuration names: STORAGE_URL's bucket, or files under DATA_DIR. */
export function storageFor(config: Pick<Config, 'storage' | 'dataDir'>): Storage {
  const s = config.storage;
  if (s.kind === 'fs') return fsStorage(config.dataDir);
  return s3Storage({ client: s3Client(s), bucket: s.bucket, prefix: s.prefix || undefined }, config.dataDir);
}
