import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  checkKey,
  ObjectNotFoundError,
  type ObjectStore,
  type RangeReader,
  type StagedObject,
} from './object-store.js';
import { blockReader } from './block-reader.js';
import { S3UploadStream, type UploadOptions } from './s3-upload-stream.js';

export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /** Keys are stored under `<prefix>/` (none: at the bucket's root). */
  prefix?: string;
  /** First part size of multipart uploads (default 8 MiB; S3's least is 5 MiB). */
  partBytes?: number;
  /** Parts uploading at once per write (default 4). */
  queueSize?: number;
  /** Largest object one CopyObject may copy (S3: 5 GiB); larger ones are copied in parts. */
  maxCopyBytes?: number;
  /** Part size of those copies (default 1 GiB). */
  copyPartBytes?: number;
  /** Where `withLocalFile` downloads to (default the system's temporary folder). */
  tmpDir?: string;
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
const isMissing = (error: unknown) =>
  ['NoSuchKey', 'NotFound'].includes((error as Error)?.name) || statusOf(error) === 404;
const isBadRange = (error: unknown) => (error as Error)?.name === 'InvalidRange' || statusOf(error) === 416;

/**
 * Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, GCS's XML API…), keys as given under
 * an optional prefix, so `artifacts/ab/ab12…` is the same key as on disk.
 *
 * Visibility: S3 shows an object only once its PutObject or CompleteMultipartUpload has succeeded,
 * so `put` writes straight to the key. A staged write's key is known only at the end (content
 * addressing): a body smaller than one part stays in memory and is put under the key at commit; a
 * larger one is uploaded in parts to `<area>/tmp/<uuid>`, then copied server-side to its key on
 * commit and the staging object deleted. Nothing is ever visible under a final key before it is
 * whole. A process killed mid-write leaves an incomplete multipart upload or a `tmp/` object:
 * `sweepStaged` removes both (and a bucket lifecycle rule aborting incomplete uploads is the backstop).
 */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  readonly bucket: string;
  private readonly root: string;
  private readonly upload: UploadOptions;
  private readonly maxCopyBytes: number;
  private readonly copyPartBytes: number;
  private readonly tmpDir: string;

  constructor(options: S3ObjectStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.root = options.prefix ? `${checkKey(options.prefix)}/` : '';
    this.upload = { partBytes: options.partBytes ?? 8 * MiB, queueSize: options.queueSize ?? 4 };
    this.maxCopyBytes = options.maxCopyBytes ?? 5 * GiB;
    this.copyPartBytes = options.copyPartBytes ?? GiB;
    this.tmpDir = options.tmpDir ?? tmpdir();
  }

  /** The bucket key of a store key. */
  objectKey(key: string) {
    return this.root + checkKey(key);
  }

  private stagingKey(near: string) {
    return `${checkKey(near).split('/')[0]}/tmp/${randomUUID()}`;
  }

  private uploadStream(key: string, keepSmallBody = false) {
    const stream = new S3UploadStream(this.client, this.bucket, this.objectKey(key), {
      ...this.upload,
      keepSmallBody,
    });
    // An error is reported by pipeline or commit (via `finished`), or ignored by abort; never unhandled.
    stream.on('error', () => {});
    return stream;
  }

  async put(key: string, body: Readable | Buffer) {
    const stream = this.uploadStream(key);
    await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, stream);
    return { sizeBytes: stream.bytes };
  }

  async stage(near: string): Promise<StagedObject> {
    const staging = this.stagingKey(near);
    const stream = this.uploadStream(staging, true);
    const settle = async () => {
      if (!stream.writableEnded) stream.end();
      await finished(stream);
    };
    return {
      stream,
      commit: async (key) => {
        this.objectKey(key);
        await settle();
        if (stream.uploaded) {
          await this.copy(staging, key, stream.bytes);
          await this.delete(staging);
        } else await this.put(key, stream.smallBody!);
        stream.smallBody = undefined;
      },
      abort: async () => {
        stream.smallBody = undefined;
        stream.destroy();
        // Waits for the multipart upload to be aborted (`close` follows `_destroy`).
        await finished(stream).catch(() => {});
        if (stream.uploaded) await this.delete(staging).catch(() => {});
      },
    };
  }

  /** Server-side copy: one request up to `maxCopyBytes`, else a multipart copy in ranges. */
  private async copy(from: string, to: string, size: number) {
    const Bucket = this.bucket;
    const Key = this.objectKey(to);
    const CopySource = `${this.bucket}/${this.objectKey(from)}`;
    if (size <= this.maxCopyBytes) {
      await this.client.send(new CopyObjectCommand({ Bucket, Key, CopySource }));
      return;
    }
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    try {
      const parts = [];
      for (let start = 0, n = 1; start < size; start += this.copyPartBytes, n++) {
        const end = Math.min(start + this.copyPartBytes, size) - 1;
        const r = await this.client.send(
          new UploadPartCopyCommand({
            Bucket,
            Key,
            UploadId,
            PartNumber: n,
            CopySource,
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        );
        parts.push({ PartNumber: n, ETag: r.CopyPartResult!.ETag! });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => {});
      throw error;
    }
  }

  private async get(key: string, range?: string) {
    try {
      const { Body } = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Range: range }),
      );
      return Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async open(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    const start = range?.start ?? 0;
    const end = range?.end;
    if (end !== undefined && end <= start) {
      await this.size(key); // still an error when there is no such object
      return Readable.from([]);
    }
    if (!start && end === undefined) return this.get(key);
    try {
      return await this.get(key, `bytes=${start}-${end === undefined ? '' : end - 1}`);
    } catch (error) {
      // Starting at or past the end: S3 answers 416; the filesystem store gives no bytes.
      if (isBadRange(error)) return Readable.from([]);
      throw error;
    }
  }

  async read(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.get(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async reader(key: string): Promise<RangeReader> {
    return blockReader(await this.size(key), async (start, end) => {
      const chunks: Buffer[] = [];
      for await (const chunk of await this.get(key, `bytes=${start}-${end - 1}`)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
  }

  async exists(key: string): Promise<boolean> {
    return this.size(key).then(
      () => true,
      (error) => {
        if (error instanceof ObjectNotFoundError) return false;
        throw error;
      },
    );
  }

  async size(key: string): Promise<number> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async withLocalFile<T>(key: string, fn: (path: string) => Promise<T>): Promise<T> {
    const body = await this.get(key);
    const dir = await mkdtemp(join(this.tmpDir, 'llmt-object-'));
    try {
      const path = join(dir, key.split('/').pop()!);
      await pipeline(body, createWriteStream(path));
      return await fn(path);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async putFile(key: string, path: string): Promise<void> {
    await this.put(key, createReadStream(path, { highWaterMark: MiB }));
    await rm(path, { force: true });
  }

  async sweepStaged(near: string[], olderThanMs: number): Promise<number> {
    const before = Date.now() - olderThanMs;
    let removed = 0;
    for (const area of near) {
      const Prefix = `${this.root}${checkKey(area).split('/')[0]}/tmp/`;
      let ContinuationToken: string | undefined;
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken }),
        );
        for (const object of page.Contents ?? []) {
          if (object.LastModified && object.LastModified.getTime() < before) {
            await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: object.Key }));
            removed++;
          }
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      removed += await this.abortStaleUploads(this.root + checkKey(area).split('/')[0] + '/', before);
    }
    return removed;
  }

  /** Multipart uploads a killed process left (staged or direct puts under the area). */
  private async abortStaleUploads(Prefix: string, before: number) {
    let removed = 0;
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix, KeyMarker, UploadIdMarker }),
        );
        for (const upload of page.Uploads ?? []) {
          if (upload.Initiated && upload.Initiated.getTime() < before) {
            await this.client.send(
              new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.Key, UploadId: upload.UploadId }),
            );
            removed++;
          }
        }
        [KeyMarker, UploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [];
      } while (KeyMarker);
    } catch (error) {
      // Some S3-compatible servers (s3rver) do not list uploads: the lifecycle rule must do it there.
      if ((error as Error)?.name !== 'NotImplemented') throw error;
    }
    return removed;
  }
}
