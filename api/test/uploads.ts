import { createClient } from 'graphql-ws';
import * as tus from 'tus-js-client';
import WebSocket from 'ws';
import type { TestApp } from './test-app.js';

/** Uploads bytes through the real tus endpoint, as the web app does; resolves with the upload id. */
export function tusUpload(
  app: TestApp,
  token: string,
  projectId: string,
  filename: string,
  data: Buffer,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint: `${app.url}/uploads`,
      headers: { authorization: `Bearer ${token}` },
      metadata: { projectId, filename },
      chunkSize: 256 * 1024,
      retryDelays: [],
      onError: reject,
      onSuccess: () => resolve(upload.url!.split('/').pop()!),
    });
    upload.start();
  });
}

/** Subscribes over graphql-ws and resolves with the first event that `done` accepts. */
export function waitForEvent<T>(
  app: TestApp,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  done: (event: T) => boolean,
): Promise<T> {
  const client = createClient({
    url: `${app.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  return new Promise<T>((resolve, reject) => {
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) reject(new Error(JSON.stringify(value.errors)));
          else if (done(value.data as T)) resolve(value.data as T);
        },
        error: reject,
        complete: () => reject(new Error('subscription ended before the awaited event')),
      },
    );
  }).finally(() => client.dispose());
}
