// The ObjectStore contract, run against every implementation: the filesystem (DATA_DIR) and an
// S3-compatible bucket (a real local s3rver), the latter both with single-request writes and with
// small parts so that multipart uploads, staging objects and server-side copies are exercised.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../test/s3.js';
import { FsObjectStore } from './fs-object-store.js';
import { ObjectNotFoundError, type ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3-object-store.js';
import { fsStorage, s3Storage, type Storage } from './storage.js';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** One implementation under test, with ways to look at its backing store directly. */
interface Backend {
  objects: ObjectStore;
  /** Content-addressed storage on the same backend, under `data/`. */
  storage: Storage;
  /** Partial writes stored in `<area>/tmp/` (`area` relative to the objects' root, e.g. `data/uploads`). */
  staged(area: string): Promise<string[]>;
  /** Makes the partial writes in `<area>/tmp/` two minutes old. */
  age(area: string): Promise<void>;
  /** The bytes stored under `key`, read from the backend itself; undefined when none. */
  stored(key: string): Promise<Buffer | undefined>;
  /** Whether a write in progress shows as a staged entry (the filesystem's file; S3's parts do not list). */
  stagesWhileWriting: boolean;
  /** Bytes a staged write needs before the backend holds any of it (S3 keeps less than a part in memory). */
  stagedAtLeast: number;
  /** A local folder the test may write to. */
  scratch: string;
}

const scratch = mkdtempSync(join(tmpdir(), 'llmt-storage-'));
let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function fsBackend(): Backend {
  const root = mkdtempSync(join(scratch, 'fs-'));
  const tmpFiles = (area: string) => (existsSync(join(root, area, 'tmp')) ? readdirSync(join(root, area, 'tmp')) : []);
  return {
    objects: new FsObjectStore(root),
    storage: fsStorage(join(root, 'data')),
    staged: async (area) => tmpFiles(area),
    age: async (area) => {
      const old = new Date(Date.now() - 120_000);
      for (const file of tmpFiles(area)) utimesSync(join(root, area, 'tmp', file), old, old);
    },
    stored: async (key) => (existsSync(join(root, key)) ? readFileSync(join(root, key)) : undefined),
    stagesWhileWriting: true,
    stagedAtLeast: 1,
    scratch: root,
  };
}

function s3Backend(partBytes?: number): Backend {
  // Each backend in its own prefix of the one bucket: the store's keys are relative to it.
  const prefix = `p${randomBytes(4).toString('hex')}`;
  const options = { client: s3.client, bucket: s3.bucket, prefix, partBytes, tmpDir: scratch };
  const tmpKeys = async (area: string) =>
    (await s3.keys(`${prefix}/${area}/tmp/`)).map((k) => k.slice(`${prefix}/${area}/tmp/`.length));
  return {
    objects: new S3ObjectStore(options),
    storage: s3Storage({ ...options, prefix: `${prefix}/data` }, join(scratch, `${prefix}-data`)),
    staged: tmpKeys,
    age: async (area) => {
      // s3rver reports a file's mtime as the object's LastModified.
      const old = new Date(Date.now() - 120_000);
      for (const name of await tmpKeys(area))
        utimesSync(join(s3.dir, s3.bucket, prefix, area, 'tmp', `${name}._S3rver_object`), old, old);
    },
    stored: async (key) => {
      try {
        const got = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${key}` }));
        return Buffer.from(await got.Body!.transformToByteArray());
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    stagesWhileWriting: false,
    stagedAtLeast: (partBytes ?? 8 * 1024 ** 2) + 1,
    scratch: mkdtempSync(join(scratch, 's3-')),
  };
}

describe.each([
  ['the filesystem object store', fsBackend],
  ['the S3 object store', () => s3Backend()],
  ['the S3 object store, writing in 1 KiB parts', () => s3Backend(1024)],
])('%s', (_name, make) => {
  let b: Backend;
  let objects: ObjectStore;
  beforeAll(() => {
    b = make();
    objects = b.objects;
  });

  it('puts, reads, streams, sizes and deletes an object by key', async () => {
    expect(await objects.exists('notes/a.txt')).toBe(false);
    await objects.put('notes/a.txt', Buffer.from('你好, world'));
    expect(await objects.exists('notes/a.txt')).toBe(true);
    expect((await objects.read('notes/a.txt')).toString()).toBe('你好, world');
    expect(await objects.size('notes/a.txt')).toBe(Buffer.byteLength('你好, world'));
    expect(await text(await objects.open('notes/a.txt', { start: 8 }))).toBe('world');
    expect(await text(await objects.open('notes/a.txt', { start: 8, end: 10 }))).toBe('wo');
    expect(await text(await objects.open('notes/a.txt', { start: 8, end: 8 }))).toBe('');
    expect(await text(await objects.open('notes/a.txt', { start: 100 }))).toBe('');
    const reader = await objects.reader('notes/a.txt');
    expect((await reader.read(8, 100)).toString()).toBe('world');
    expect((await reader.read(100, 5)).length).toBe(0);
    await reader.close();
    await objects.put('notes/a.txt', Readable.from(['replaced']));
    expect((await objects.read('notes/a.txt')).toString()).toBe('replaced');
    expect((await b.stored('notes/a.txt'))?.toString()).toBe('replaced');
    await objects.delete('notes/a.txt');
    await objects.delete('notes/a.txt'); // deleting what is gone is not an error
    expect(await objects.exists('notes/a.txt')).toBe(false);
    expect(await b.staged('notes')).toEqual([]);
  });

  it('reads any range of a larger object, across read blocks, as it was written', async () => {
    const body = randomBytes(2 * 1024 ** 2 + 17);
    expect(await objects.put('notes/big.bin', Readable.from([body.subarray(0, 1000), body.subarray(1000)]))).toEqual({
      sizeBytes: body.length,
    });
    expect((await objects.read('notes/big.bin')).equals(body)).toBe(true);
    const reader = await objects.reader('notes/big.bin');
    for (const [start, length] of [
      [0, 10],
      [1024 ** 2 - 5, 10],
      [1024 ** 2 - 1, 1024 ** 2 + 2],
      [body.length - 3, 100],
      [5, 2 * 1024 ** 2],
    ])
      expect(
        (await reader.read(start, length)).equals(body.subarray(start, start + length)),
        `${start}+${length}`,
      ).toBe(true);
    await reader.close();
    const middle = Buffer.concat(
      await (await objects.open('notes/big.bin', { start: 1000, end: 2_000_000 })).toArray(),
    );
    expect(middle.equals(body.subarray(1000, 2_000_000))).toBe(true);
    await objects.delete('notes/big.bin');
  });

  it('names a missing object in the error, however it is asked for', async () => {
    for (const ask of [
      () => objects.read('notes/none'),
      () => objects.open('notes/none'),
      () => objects.open('notes/none', { start: 3 }),
      () => objects.open('notes/none', { start: 3, end: 3 }),
      () => objects.size('notes/none'),
      () => objects.reader('notes/none'),
      () => objects.withLocalFile('notes/none', async () => 1),
    ])
      await expect(ask()).rejects.toThrow(ObjectNotFoundError);
  });

  it('refuses keys that would leave its root', async () => {
    for (const key of ['../etc/passwd', '/etc/passwd', 'a//b', 'a/./b', 'a/../../b', '', 'a/b/', '.hidden'])
      await expect(objects.put(key, Buffer.from('x')), key).rejects.toThrow(/invalid storage key/);
    expect(existsSync(join(b.scratch, '..', 'etc', 'passwd'))).toBe(false);
  });

  it('never shows a partial write under its key: a staged object appears whole on commit, or not at all', async () => {
    const write = await objects.stage('notes');
    write.stream.write('half of'.repeat(200));
    // Written, not committed: nothing under any key (on disk, one staged file).
    expect(await objects.exists('notes/whole.txt')).toBe(false);
    expect(await b.staged('notes')).toHaveLength(b.stagesWhileWriting ? 1 : 0);
    write.stream.write(' it');
    await write.commit('notes/whole.txt');
    expect((await objects.read('notes/whole.txt')).toString()).toBe(`${'half of'.repeat(200)} it`);
    expect(await b.staged('notes')).toEqual([]);

    const aborted = await objects.stage('notes');
    aborted.stream.write('never'.repeat(300));
    await aborted.abort();
    expect(await b.staged('notes')).toEqual([]);

    // A body that fails midway leaves neither the key nor a staged object.
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(3000, 'some bytes');
        throw new Error('connection reset');
      })(),
    );
    await expect(objects.put('notes/broken.txt', failing)).rejects.toThrow('connection reset');
    expect(await objects.exists('notes/broken.txt')).toBe(false);
    expect(await b.staged('notes')).toEqual([]);
  });

  it('hands out the stored bytes as a file for readers that need one, and moves local files in', async () => {
    await objects.put('notes/local.txt', Buffer.from('abc'));
    expect(await objects.withLocalFile('notes/local.txt', async (path) => readFileSync(path, 'utf8'))).toBe('abc');
    const outside = join(b.scratch, 'outside.txt');
    writeFileSync(outside, 'moved in');
    await objects.putFile('notes/moved.txt', outside);
    expect(existsSync(outside)).toBe(false);
    expect((await objects.read('notes/moved.txt')).toString()).toBe('moved in');
  });

  it('sweeps partial writes a killed process left, once they are old', async () => {
    const left = await objects.stage('sweep');
    left.stream.write(Buffer.alloc(b.stagedAtLeast, 'abandoned'));
    await new Promise<void>((resolve) => left.stream.end(resolve));
    expect(await b.staged('sweep')).toHaveLength(1);
    expect(await objects.sweepStaged(['sweep'], 60_000)).toBe(0); // recent: perhaps still being written
    await b.age('sweep');
    expect(await objects.sweepStaged(['sweep'], 60_000)).toBe(1);
    expect(await b.staged('sweep')).toEqual([]);
  });

  describe('content-addressed storage', () => {
    let storage: Storage;
    beforeAll(() => {
      storage = b.storage;
    });

    it('stores a blob under the SHA-256 of its content, once, in the DATA_DIR layout', async () => {
      const body = Buffer.from('{"text":"同样的内容"}\n');
      const first = await storage.uploads.put(body);
      expect(first).toEqual({ hash: sha256(body), sizeBytes: body.length });
      expect(await b.stored(`data/uploads/blobs/${first.hash.slice(0, 2)}/${first.hash}`)).toEqual(body);
      expect(await storage.uploads.put(Readable.from([body.subarray(0, 5), body.subarray(5)]))).toEqual(first);
      expect(await storage.uploads.exists(first.hash)).toBe(true);
      expect(await storage.uploads.size(first.hash)).toBe(body.length);
      expect(await text(await storage.uploads.open(first.hash))).toBe(body.toString());
      await storage.uploads.delete(first.hash);
      expect(await storage.uploads.exists(first.hash)).toBe(false);
      expect(await b.staged('data/uploads')).toEqual([]);
    });

    it('keeps nothing of an artifact over its size limit', async () => {
      const big = Buffer.alloc(2048, 1);
      await expect(storage.artifacts.put(Readable.from([big]), 1024)).rejects.toThrow(/larger than 1024 bytes/);
      expect(await storage.artifacts.exists(sha256(big))).toBe(false);
      expect(await b.staged('data/artifacts')).toEqual([]);
      const ok = await storage.artifacts.put(Readable.from([big]), 4096);
      expect(await b.stored(`data/artifacts/${ok.hash.slice(0, 2)}/${ok.hash}`)).toEqual(big);
      expect(await b.staged('data/artifacts')).toEqual([]);
    });

    it('refuses a hash that is not one', async () => {
      await expect(storage.artifacts.exists('../../etc/passwd')).rejects.toThrow(/invalid artifact hash/);
      await expect(storage.rows.count('abc')).rejects.toThrow(/invalid row-set hash/);
    });

    it('writes a row set by the hash of its rows: same rows, same hash, stored once; pages and order read back', async () => {
      const rows = Array.from({ length: 50 }, (_, i) => ({ text: `行 ${i}: ${'文本'.repeat(10)}` }));
      const write = async () => {
        const writer = await storage.rows.writer();
        for (const row of rows) await writer.push(row);
        return writer.commit();
      };
      const first = await write();
      const expected = sha256(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
      expect(first).toMatchObject({ hash: expected, rows: 50, created: true });
      const dir = `data/datasets/rows/${expected.slice(0, 2)}/${expected}`;
      expect((await b.stored(`${dir}/rows.jsonl`))?.length).toBe(first.bytes);
      expect((await b.stored(`${dir}/rows.idx`))?.length).toBe(51 * 8);
      expect(await write()).toMatchObject({ hash: expected, created: false });
      expect(await b.staged('data/datasets')).toEqual([]);
      expect(await storage.rows.count(expected)).toBe(50);
      expect(await storage.rows.size(expected)).toBe(first.bytes + 51 * 8);
      expect(await storage.rows.read(expected, 48, 10)).toEqual([rows[48], rows[49]]);
      const ordered: string[] = [];
      for await (const line of storage.rows.readOrdered(expected, [3, 0])) ordered.push(line);
      expect(ordered.map((l) => JSON.parse(l))).toEqual([rows[3], rows[0]]);
      expect((await text(await storage.rows.open(expected))).split('\n')).toHaveLength(51);
      await storage.rows.delete(expected);
      expect(await storage.rows.exists(expected)).toBe(false);
    });

    it('shows no row set while it is being written, and none after an abort', async () => {
      const writer = await storage.rows.writer();
      await writer.push({ text: 'in progress' });
      const hash = sha256(`${JSON.stringify({ text: 'in progress' })}\n`);
      expect(await storage.rows.exists(hash)).toBe(false);
      expect(await b.staged('data/datasets')).toHaveLength(b.stagesWhileWriting ? 1 : 0);
      await writer.abort();
      expect(await storage.rows.exists(hash)).toBe(false);
      expect(await b.staged('data/datasets')).toEqual([]);
    });

    it('probes that it can write (readiness)', async () => {
      await storage.probe();
      expect(await b.staged('data/health')).toEqual([]);
    });
  });
});
