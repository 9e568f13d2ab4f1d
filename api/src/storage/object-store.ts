import type { Readable, Writable } from 'node:stream';

/**
 * Where stored bytes live, by key (`uploads/blobs/ab/ab12…`, `datasets/rows/…/rows.idx`). Everything
 * above it (row sets, uploads, artifacts) speaks keys and streams, never paths, so an S3-compatible
 * implementation can stand in for the filesystem one. Keys are relative, `/`-separated, of
 * `[A-Za-z0-9._-]` segments.
 *
 * Visibility: an object appears under its key whole or not at all (a write in progress or cut short
 * is never visible there), and a later write of the same key replaces it whole.
 */
export interface ObjectStore {
  /** Writes `body` under `key`. */
  put(key: string, body: Readable | Buffer): Promise<{ sizeBytes: number }>;
  /**
   * Starts an object whose key is known only once it is written (content addressing): write to
   * `stream`, then `commit(key)` or `abort()`. `near` is a prefix the final key will start with (the
   * filesystem keeps the partial write beside it, on the same disk).
   */
  stage(near: string): Promise<StagedObject>;
  /** The object's bytes as a stream, whole or from `start` to `end` (exclusive). */
  open(key: string, range?: { start: number; end?: number }): Promise<Readable>;
  /** A small object's bytes, whole. */
  read(key: string): Promise<Buffer>;
  /** Reads of many ranges of one object (row pages, rows in any order); close it when done. */
  reader(key: string): Promise<RangeReader>;
  exists(key: string): Promise<boolean>;
  size(key: string): Promise<number>;
  /** Removes the object; nothing happens when there is none. */
  delete(key: string): Promise<void>;
  /**
   * Gives `fn` a local file with the object's bytes, for readers that need a file (parsers with
   * random access, worker threads). The filesystem answers with the object itself (do not write to
   * it); an object store would download to a temporary file and remove it after `fn`.
   */
  withLocalFile<T>(key: string, fn: (path: string) => Promise<T>): Promise<T>;
  /** Moves a local file (gone afterwards) in under `key`: a rename on the filesystem, an upload elsewhere. */
  putFile(key: string, path: string): Promise<void>;
  /** Removes partial writes near these prefixes left by a process that died mid-write, older than `olderThanMs`. */
  sweepStaged(near: string[], olderThanMs: number): Promise<number>;
}

export interface StagedObject {
  readonly stream: Writable;
  /** Ends the stream if still open, waits for the bytes to be stored, and makes them visible under `key`. */
  commit(key: string): Promise<void>;
  /** Drops what was written (also after an error on the stream). */
  abort(): Promise<void>;
}

export interface RangeReader {
  /** `length` bytes from `start` (fewer at the end of the object). */
  read(start: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** Asked for an object that is not stored. */
export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no stored object ${key}`);
  }
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Refuses keys that could leave the store (`..`, absolute paths, empty segments). */
export function checkKey(key: string): string {
  if (!key || !key.split('/').every((s) => SEGMENT.test(s)))
    throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
  return key;
}

/** `ab/ab12…`: content-addressed keys fan out by the first two hex digits, as on disk since the start. */
export function fanOut(hash: string, what: string): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`invalid ${what} hash: ${hash}`);
  return `${hash.slice(0, 2)}/${hash}`;
}
