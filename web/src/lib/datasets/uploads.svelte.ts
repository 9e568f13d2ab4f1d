import { DetailedError, Upload } from 'tus-js-client';
import { auth } from '$lib/auth.svelte';

export type UploadStatus = 'idle' | 'uploading' | 'paused' | 'done' | 'failed';

/** Why an upload stopped, in terms the page can translate; `detail` is the server's own text. */
export interface UploadFailure {
  reason: 'tooLarge' | 'forbidden' | 'notFound' | 'signedOut' | 'network' | 'other';
  status: number;
  detail: string;
}

const CHUNK_SIZE = 8 * 1024 * 1024;
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000];

export function describeFailure(error: Error | DetailedError): UploadFailure {
  const response = error instanceof DetailedError ? error.originalResponse : null;
  const status = response?.getStatus() ?? 0;
  const detail = (response?.getBody() ?? '').trim() || error.message;
  const reason: UploadFailure['reason'] =
    status === 413
      ? 'tooLarge'
      : status === 403
        ? 'forbidden'
        : status === 404
          ? 'notFound'
          : status === 401
            ? 'signedOut'
            : status === 0
              ? 'network'
              : 'other';
  return { reason, status, detail };
}

/**
 * One resumable upload to `POST /uploads` (tus). Pausing keeps what the server has; resuming goes
 * on from there, also after a page reload of the same file into the same project. The token is
 * set on every request, so a refresh during a long upload is picked up.
 */
export class TusUpload {
  status = $state<UploadStatus>('idle');
  bytesUploaded = $state(0);
  bytesTotal = $state(0);
  failure = $state<UploadFailure | null>(null);
  /** The server's id for the finished upload, for detectUpload and createDatasetVersion. */
  uploadId = $state<string | null>(null);

  readonly file: File;
  readonly #upload: Upload;
  readonly #projectId: string;

  constructor(file: File, projectId: string, onDone: (uploadId: string) => void) {
    this.file = file;
    this.bytesTotal = file.size;
    this.#projectId = projectId;
    this.#upload = new Upload(file, {
      endpoint: '/uploads',
      metadata: { projectId, filename: file.name },
      chunkSize: CHUNK_SIZE,
      retryDelays: RETRY_DELAYS,
      removeFingerprintOnSuccess: true,
      onBeforeRequest: (req) => {
        if (auth.accessToken) req.setHeader('Authorization', `Bearer ${auth.accessToken}`);
      },
      onShouldRetry: (error, attempt) => {
        const status = error.originalResponse?.getStatus() ?? 0;
        if (status === 401 && attempt === 0) {
          // The access token expired mid-upload: renew it before the retry's delay runs out.
          void auth.refresh();
          return true;
        }
        return status === 0 || status >= 500 || status === 409 || status === 423;
      },
      onProgress: (sent, total) => {
        this.bytesUploaded = sent;
        this.bytesTotal = total;
      },
      onSuccess: () => {
        const id = this.#upload.url?.split('/').pop() ?? null;
        this.bytesUploaded = this.bytesTotal;
        this.uploadId = id;
        this.status = id ? 'done' : 'failed';
        if (id) onDone(id);
      },
      onError: (error) => {
        this.failure = describeFailure(error);
        this.status = 'failed';
      },
    });
  }

  get percent(): number {
    return this.bytesTotal ? Math.floor((this.bytesUploaded / this.bytesTotal) * 100) : 0;
  }

  /** Starts, going on from an unfinished earlier upload of this file to this project if there is one. */
  async start(): Promise<void> {
    this.failure = null;
    this.status = 'uploading';
    try {
      const previous = await this.#upload.findPreviousUploads();
      const mine = previous.find((p) => p.metadata.projectId === this.#projectId);
      if (mine) this.#upload.resumeFromPreviousUpload(mine);
    } catch {
      // No storage for resuming (private mode): upload from the start.
    }
    this.#upload.start();
  }

  async pause(): Promise<void> {
    if (this.status !== 'uploading') return;
    this.status = 'paused';
    await this.#upload.abort();
  }

  resume(): void {
    if (this.status !== 'paused' && this.status !== 'failed') return;
    this.failure = null;
    this.status = 'uploading';
    this.#upload.start();
  }

  /** Stops for good (another file was picked, the page closes). */
  cancel(): void {
    if (this.status === 'uploading') void this.#upload.abort();
    this.status = 'idle';
  }
}
