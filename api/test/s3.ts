import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { loadConfig } from '../src/config.js';
import { s3Client } from '../src/storage/storage.js';

export interface LocalS3 {
  /** The S3_* and STORAGE_URL variables that point the API at this server's bucket (under `prefix`). */
  env(prefix?: string): Record<string, string>;
  /** A client of this server, configured as the API configures its own. */
  client: S3Client;
  bucket: string;
  /** Where s3rver keeps the bucket's files (`<dir>/<bucket>/<key>._S3rver_object`). */
  dir: string;
  /** Every key in the bucket under `prefix`. */
  keys(prefix?: string): Promise<string[]>;
  close(): Promise<void>;
}

/** A real S3-compatible server (s3rver) on a free loopback port, its files in a temporary folder. */
export async function startLocalS3(bucket = 'llmt-test'): Promise<LocalS3> {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: dir,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const env = (prefix = '') => ({
    STORAGE_URL: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    S3_REGION: 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
  });
  const storage = loadConfig(env()).storage;
  if (storage.kind !== 's3') throw new Error('expected an S3 configuration');
  const client = s3Client(storage);
  return {
    env,
    client,
    bucket,
    dir,
    keys: async (prefix = '') => {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return keys;
    },
    close: async () => {
      client.destroy();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
