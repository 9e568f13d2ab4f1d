import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Writable } from 'node:stream';

/** S3 refuses a multipart upload of more parts than this. */
const MAX_PARTS = 10_000;

export interface UploadOptions {
  /** Size of the first parts; every 1,000 parts it doubles, so 10,000 parts reach past S3's 5 TiB. */
  partBytes: number;
  /** Parts in flight at once: memory is about (queueSize + 1) × the current part size. */
  queueSize: number;
  /**
   * A body smaller than one part is not uploaded at the end but kept in `smallBody`, for the caller
   * to put under a key it learns only then (content addressing without a copy).
   */
  keepSmallBody?: boolean;
}

/**
 * A Writable that stores what is written as one S3 object under `key`: a single PutObject when it
 * is smaller than a part, otherwise a multipart upload completed only when the stream finishes.
 * Either way S3 shows the object whole or not at all. Backpressure: `write` waits while `queueSize`
 * parts are in flight, so memory stays bounded whatever the size.
 *
 * Written by hand rather than with lib-storage's `Upload`, whose part size is fixed: with an unknown
 * length, 10,000 parts of a fixed size cap the object (8 MiB → 78 GiB) or cost memory on every upload.
 */
export class S3UploadStream extends Writable {
  private chunks: Buffer[] = [];
  /** Part buffers whose upload has finished, for the next parts. */
  private free: Buffer[] = [];
  private buffered = 0;
  private uploadId: string | undefined;
  private readonly parts: { ETag: string; PartNumber: number }[] = [];
  private partsSent = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private completed = false;
  /** Bytes written. */
  bytes = 0;
  /** With `keepSmallBody`: the whole body when it never reached a part's size, once finished. */
  smallBody: Buffer | undefined;
  /** Whether the bytes are stored under `key` (after 'finish'): false when kept in `smallBody`. */
  get uploaded() {
    return this.completed;
  }

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    readonly key: string,
    private readonly options: UploadOptions,
  ) {
    super();
  }

  private partSize(partNumber: number) {
    return this.options.partBytes * 2 ** Math.floor((partNumber - 1) / 1000);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void) {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.bytes += chunk.length;
    this.sendFullParts().then(() => done(), done);
  }

  private async sendFullParts() {
    while (this.buffered >= this.partSize(this.partsSent + 1))
      await this.sendPart(this.take(this.partSize(this.partsSent + 1)));
  }

  /**
   * The first `size` buffered bytes as one buffer: a part buffer whose upload has finished is reused,
   * so a long upload makes no garbage of part size (freed only when the GC gets round to it).
   */
  private take(size: number): Buffer {
    let part = this.free.pop();
    if (part?.length !== size) this.free = [];
    if (part?.length !== size) part = Buffer.allocUnsafeSlow(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.chunks[0];
      const n = chunk.copy(part, filled, 0, Math.min(chunk.length, size - filled));
      filled += n;
      if (n === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(n);
    }
    this.buffered -= size;
    return part;
  }

  private async sendPart(body: Buffer) {
    if (this.failure) throw this.failure;
    if (this.uploadId === undefined) {
      const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key }));
      this.uploadId = created.UploadId!;
      // Destroyed while the upload was being created: `_destroy` had no upload to abort yet.
      if (this.destroyed) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId }))
          .catch(() => {});
        throw new Error(`${this.key}: upload cancelled`);
      }
    }
    const partNumber = ++this.partsSent;
    if (partNumber > MAX_PARTS) throw new Error(`${this.key}: more than ${MAX_PARTS} parts`);
    const sent: Promise<void> = this.client
      .send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: this.key,
          UploadId: this.uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.length,
        }),
      )
      .then(
        (r) => {
          this.parts.push({ ETag: r.ETag!, PartNumber: partNumber });
          this.free.push(body);
        },
        (error) => void (this.failure ??= error),
      )
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
    while (this.inFlight.size >= this.options.queueSize) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  override _final(done: (error?: Error | null) => void) {
    this.finish().then(() => done(), done);
  }

  private async finish() {
    if (this.uploadId === undefined) {
      const body = Buffer.concat(this.chunks, this.buffered);
      this.chunks = [];
      this.buffered = 0;
      if (this.options.keepSmallBody) {
        this.smallBody = body;
        return;
      }
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: body, ContentLength: body.length }),
      );
      this.completed = true;
      return;
    }
    if (this.buffered) await this.sendPart(Buffer.concat(this.chunks, this.buffered));
    this.chunks = [];
    this.buffered = 0;
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: [...this.parts].sort((a, b) => a.PartNumber - b.PartNumber) },
      }),
    );
    this.completed = true;
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void) {
    this.chunks = [];
    if (this.uploadId === undefined || this.completed) return done(error);
    // Parts already stored cost money until aborted (a bucket lifecycle rule is the backstop).
    Promise.allSettled(this.inFlight)
      .then(() =>
        this.client.send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId }),
        ),
      )
      .catch(() => {})
      .finally(() => done(error));
  }
}
