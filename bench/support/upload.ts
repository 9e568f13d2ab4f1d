import { createReadStream, statSync } from 'node:fs';
import * as tus from 'tus-js-client';
import type { BenchApp } from './app.js';

/** Uploads a file through the tus endpoint, streaming it from disk in 8 MB chunks; resolves with its id. */
export function tusUploadFile(app: BenchApp, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(path), {
      endpoint: `${app.url}/uploads`,
      uploadSize: statSync(path).size,
      chunkSize: 8 * 1024 * 1024,
      headers: { authorization: `Bearer ${app.token}` },
      metadata: { projectId: app.projectId, filename: 'bench.jsonl' },
      retryDelays: [],
      onError: reject,
      onSuccess: () => resolve(upload.url!.split('/').pop()!),
    });
    upload.start();
  });
}

/** Samples this process's resident memory every 100 ms until stopped. */
export function sampleRss(onSample: (rss: number) => void): () => void {
  const timer = setInterval(() => onSample(process.memoryUsage().rss), 100);
  return () => clearInterval(timer);
}
