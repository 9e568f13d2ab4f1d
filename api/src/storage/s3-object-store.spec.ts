// What only the S3 store does: temporary downloads, copies in parts, configuration. The ObjectStore
// contract itself is in object-store.spec.ts.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../test/s3.js';
import { loadConfig } from '../config.js';
import { S3ObjectStore } from './s3-object-store.js';
import { storageFor } from './storage.js';

let s3: LocalS3;
const scratch = mkdtempSync(join(tmpdir(), 'llmt-s3-store-'));
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the S3 object store', () => {
  it('gives readers a temporary download and removes it afterwards, also when the reader fails', async () => {
    const tmpDir = mkdtempSync(join(scratch, 'tmp-'));
    const objects = new S3ObjectStore({ client: s3.client, bucket: s3.bucket, prefix: 'local', tmpDir });
    await objects.put('uploads/blobs/ab/abc', Buffer.from('{"a":1}\n'));
    let seen = '';
    await objects.withLocalFile('uploads/blobs/ab/abc', async (path) => {
      seen = path;
      expect(existsSync(path)).toBe(true);
    });
    expect(seen.startsWith(tmpDir)).toBe(true);
    await expect(
      objects.withLocalFile('uploads/blobs/ab/abc', async () => {
        throw new Error('parser failed');
      }),
    ).rejects.toThrow('parser failed');
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('commits a staged object larger than one copy request in ranged parts', async () => {
    // s3rver has no UploadPartCopy: this records what the store asks of S3 and answers as S3 would.
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        sent.push({ name: command.constructor.name, input: command.input });
        switch (command.constructor.name) {
          case 'CreateMultipartUploadCommand':
            return { UploadId: 'u1' };
          case 'UploadPartCommand':
            return { ETag: `"w${command.input.PartNumber}"` };
          case 'UploadPartCopyCommand':
            return { CopyPartResult: { ETag: `"c${command.input.PartNumber}"` } };
          default:
            return {};
        }
      },
    } as unknown as S3Client;
    const objects = new S3ObjectStore({
      client,
      bucket: 'b',
      prefix: 'p',
      partBytes: 10,
      maxCopyBytes: 20,
      copyPartBytes: 8,
    });
    const staged = await objects.stage('artifacts');
    staged.stream.end(Buffer.alloc(25, 1));
    await staged.commit('artifacts/ab/abcd');
    const copies = sent.filter((c) => c.name === 'UploadPartCopyCommand').map((c) => c.input);
    const staging = copies[0].CopySource as string;
    expect(staging).toMatch(/^b\/p\/artifacts\/tmp\/[0-9a-f-]{36}$/);
    expect(copies).toEqual(
      ['bytes=0-7', 'bytes=8-15', 'bytes=16-23', 'bytes=24-24'].map((range, i) =>
        expect.objectContaining({ Key: 'p/artifacts/ab/abcd', PartNumber: i + 1, CopySourceRange: range }),
      ),
    );
    const completed = sent.filter((c) => c.name === 'CompleteMultipartUploadCommand').map((c) => c.input);
    expect(completed.at(-1)).toMatchObject({
      Key: 'p/artifacts/ab/abcd',
      MultipartUpload: { Parts: [1, 2, 3, 4].map((n) => ({ PartNumber: n, ETag: `"c${n}"` })) },
    });
    expect(sent.at(-1)).toMatchObject({ name: 'DeleteObjectCommand', input: { Key: staging.slice(2) } });
  });

  it('is what STORAGE_URL and S3_* configure: keys under the prefix, in the bucket', async () => {
    const storage = storageFor({ ...loadConfig(s3.env('team-a/llmt')), dataDir: scratch });
    const { hash } = await storage.artifacts.put(Readable.from([Buffer.from('model bytes')]));
    expect(await s3.keys('team-a/')).toEqual([`team-a/llmt/artifacts/${hash.slice(0, 2)}/${hash}`]);
    await storage.probe();
    expect(await s3.keys('team-a/llmt/health')).toEqual([]);
  });

  it('reports an unreachable endpoint as an error (readiness fails, nothing hangs)', async () => {
    const storage = storageFor({ ...loadConfig({ ...s3.env(), S3_ENDPOINT: 'http://127.0.0.1:1' }), dataDir: scratch });
    await expect(storage.probe()).rejects.toThrow();
  });
});
