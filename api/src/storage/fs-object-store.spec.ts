import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from './fs-object-store.js';
import { ObjectNotFoundError } from './object-store.js';
import { fsStorage } from './storage.js';

const root = mkdtempSync(join(tmpdir(), 'llmt-storage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const objects = new FsObjectStore(root);
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
/** Files under the staging folders (partial writes). */
const staged = (area: string) => (existsSync(join(root, area, 'tmp')) ? readdirSync(join(root, area, 'tmp')) : []);

describe('the filesystem object store', () => {
  it('puts, reads, streams, sizes and deletes an object by key', async () => {
    expect(await objects.exists('notes/a.txt')).toBe(false);
    await objects.put('notes/a.txt', Buffer.from('你好, world'));
    expect(await objects.exists('notes/a.txt')).toBe(true);
    expect((await objects.read('notes/a.txt')).toString()).toBe('你好, world');
    expect(await objects.size('notes/a.txt')).toBe(Buffer.byteLength('你好, world'));
    expect(await text(await objects.open('notes/a.txt', { start: 8 }))).toBe('world');
    expect(await text(await objects.open('notes/a.txt', { start: 8, end: 10 }))).toBe('wo');
    const reader = await objects.reader('notes/a.txt');
    expect((await reader.read(8, 100)).toString()).toBe('world');
    await reader.close();
    await objects.put('notes/a.txt', Readable.from(['replaced']));
    expect((await objects.read('notes/a.txt')).toString()).toBe('replaced');
    await objects.delete('notes/a.txt');
    await objects.delete('notes/a.txt'); // deleting what is gone is not an error
    expect(await objects.exists('notes/a.txt')).toBe(false);
    expect(staged('notes')).toEqual([]);
  });

  it('names a missing object in the error, however it is asked for', async () => {
    for (const ask of [
      () => objects.read('notes/none'),
      () => objects.open('notes/none'),
      () => objects.size('notes/none'),
      () => objects.reader('notes/none'),
      () => objects.withLocalFile('notes/none', async () => 1),
    ])
      await expect(ask()).rejects.toThrow(ObjectNotFoundError);
  });

  it('refuses keys that would leave its root', async () => {
    for (const key of ['../etc/passwd', '/etc/passwd', 'a//b', 'a/./b', 'a/../../b', '', 'a/b/', '.hidden'])
      await expect(objects.put(key, Buffer.from('x')), key).rejects.toThrow(/invalid storage key/);
    expect(existsSync(join(root, '..', 'etc', 'passwd'))).toBe(false);
  });

  it('never shows a partial write under its key: a staged object appears whole on commit, or not at all', async () => {
    const write = await objects.stage('notes');
    write.stream.write('half of');
    // Written, not committed: nothing under any key, one staged file.
    expect(await objects.exists('notes/whole.txt')).toBe(false);
    expect(staged('notes')).toHaveLength(1);
    write.stream.write(' it');
    await write.commit('notes/whole.txt');
    expect((await objects.read('notes/whole.txt')).toString()).toBe('half of it');
    expect(staged('notes')).toEqual([]);

    const aborted = await objects.stage('notes');
    aborted.stream.write('never');
    await aborted.abort();
    expect(staged('notes')).toEqual([]);

    // A body that fails midway leaves neither the key nor a staged file.
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from('some bytes');
        throw new Error('connection reset');
      })(),
    );
    await expect(objects.put('notes/broken.txt', failing)).rejects.toThrow('connection reset');
    expect(await objects.exists('notes/broken.txt')).toBe(false);
    expect(staged('notes')).toEqual([]);
  });

  it('hands out the stored file for readers that need one, and moves local files in', async () => {
    await objects.put('notes/local.txt', Buffer.from('abc'));
    expect(await objects.withLocalFile('notes/local.txt', async (path) => readFileSync(path, 'utf8'))).toBe('abc');
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'moved in');
    await objects.putFile('notes/moved.txt', outside);
    expect(existsSync(outside)).toBe(false);
    expect((await objects.read('notes/moved.txt')).toString()).toBe('moved in');
  });

  it('sweeps partial writes a killed process left, once they are old', async () => {
    const left = await objects.stage('sweep');
    left.stream.write('abandoned');
    await new Promise<void>((resolve) => left.stream.end(resolve));
    expect(await objects.sweepStaged(['sweep'], 60_000)).toBe(0); // recent: perhaps still being written
    const [file] = staged('sweep');
    const old = new Date(Date.now() - 120_000);
    utimesSync(join(root, 'sweep', 'tmp', file), old, old);
    expect(await objects.sweepStaged(['sweep'], 60_000)).toBe(1);
    expect(staged('sweep')).toEqual([]);
  });
});

describe('content-addressed storage', () => {
  const storage = fsStorage(join(root, 'data'));

  it('stores a blob under the SHA-256 of its content, once, in the DATA_DIR layout', async () => {
    const body = Buffer.from('{"text":"同样的内容"}\n');
    const first = await storage.uploads.put(body);
    expect(first).toEqual({ hash: sha256(body), sizeBytes: body.length });
    expect(readFileSync(join(root, 'data', 'uploads', 'blobs', first.hash.slice(0, 2), first.hash))).toEqual(body);
    expect(await storage.uploads.put(Readable.from([body.subarray(0, 5), body.subarray(5)]))).toEqual(first);
    expect(await storage.uploads.exists(first.hash)).toBe(true);
    expect(await storage.uploads.size(first.hash)).toBe(body.length);
    expect(await text(await storage.uploads.open(first.hash))).toBe(body.toString());
    await storage.uploads.delete(first.hash);
    expect(await storage.uploads.exists(first.hash)).toBe(false);
    expect(staged('data/uploads')).toEqual([]);
  });

  it('keeps nothing of an artifact over its size limit', async () => {
    const big = Buffer.alloc(2048, 1);
    await expect(storage.artifacts.put(Readable.from([big]), 1024)).rejects.toThrow(/larger than 1024 bytes/);
    expect(await storage.artifacts.exists(sha256(big))).toBe(false);
    expect(staged('data/artifacts')).toEqual([]);
    const ok = await storage.artifacts.put(Readable.from([big]), 4096);
    expect(existsSync(join(root, 'data', 'artifacts', ok.hash.slice(0, 2), ok.hash))).toBe(true);
  });

  it('refuses a hash that is not one', async () => {
    await expect(storage.artifacts.exists('../../etc/passwd')).rejects.toThrow(/invalid artifact hash/);
    await expect(storage.rows.count('abc')).rejects.toThrow(/invalid row-set hash/);
  });

  it('writes a row set by the hash of its rows: same rows, same hash, stored once; pages and order read back', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ text: `行 ${i}` }));
    const write = async () => {
      const writer = await storage.rows.writer();
      for (const row of rows) await writer.push(row);
      return writer.commit();
    };
    const first = await write();
    const expected = sha256(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    expect(first).toMatchObject({ hash: expected, rows: 50, created: true });
    const dir = join(root, 'data', 'datasets', 'rows', expected.slice(0, 2), expected);
    expect(readdirSync(dir).sort()).toEqual(['rows.idx', 'rows.jsonl']);
    expect(await write()).toMatchObject({ hash: expected, created: false });
    expect(staged('data/datasets')).toEqual([]);
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
    expect(staged('data/datasets')).toHaveLength(1);
    await writer.abort();
    expect(await storage.rows.exists(hash)).toBe(false);
    expect(staged('data/datasets')).toEqual([]);
  });
});
