import { extname } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../../errors.js';
import type { RowWriter } from '../../../storage/row-store.js';
import { mapJsonLines, type MapOptions, type MappedBlock } from './map.js';
import type { Reducer } from './reduce.js';

/** Blocks of about this many bytes, cut after a line break, are mapped on one thread or the other. */
const BLOCK_BYTES = 512 * 1024;
/** Blocks queued at the worker; more are mapped here, so both threads stay busy. */
const WORKER_QUEUE = 3;
/** Rows tokenised between two chunks read (the tokenizer is slow; slices keep the worker fed). */
const TOKEN_SLICE = 4;

/** The map worker; until it says it is ready (or if it cannot start) every block is mapped here. */
class MapWorker {
  ready = false;
  outstanding = 0;
  error: unknown = null;
  private readonly worker: Worker;
  private wake: (() => void) | null = null;

  constructor(opts: MapOptions, onBlock: (seq: number, block: MappedBlock) => void) {
    // The same extension as this module: .ts under tsx, .js once compiled.
    const file = fileURLToPath(new URL(`./map-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
    this.worker = new Worker(file, { workerData: opts });
    this.worker.on('message', (m: { ready?: true; seq: number; block: MappedBlock }) => {
      if (m.ready) this.ready = true;
      else {
        this.outstanding--;
        onBlock(m.seq, m.block);
      }
      this.notify();
    });
    this.worker.on('error', (e) => {
      // Before it is ready it holds no blocks: carry on without it.
      if (this.ready) this.error = e;
      this.ready = false;
      this.notify();
    });
    this.worker.on('exit', () => {
      if (this.outstanding > 0 && !this.error) this.error = new Error('the ingest worker stopped unexpectedly');
      this.ready = false;
      this.notify();
    });
  }

  post(seq: number, bytes: Buffer) {
    this.outstanding++;
    this.worker.postMessage({ seq, bytes });
  }

  /** Resolves at the worker's next message, error or exit. */
  next(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private notify() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async stop() {
    await this.worker.terminate();
  }
}

/**
 * Maps UTF-8 JSONL bytes on two threads (this one and a worker) and reduces the blocks here in
 * source order, so the result is the same as mapping them one after the other. This thread also
 * counts tokens (with the caller's tokenizer) in slices between blocks.
 */
export async function reduceJsonLinesInParallel(
  bytes: AsyncIterable<Buffer>,
  opts: MapOptions,
  reducer: Reducer,
  writer: RowWriter,
): Promise<void> {
  const done = new Map<number, MappedBlock>();
  const worker = new MapWorker(opts, (seq, block) => done.set(seq, block));
  let posted = 0;
  let reduced = 0;
  const check = () => {
    if (worker.error) throw worker.error;
  };
  const dispatch = (block: Buffer) => {
    const seq = posted++;
    if (worker.ready && worker.outstanding < WORKER_QUEUE) worker.post(seq, block);
    else done.set(seq, mapJsonLines(block.toString('utf8'), opts));
  };
  const reduceReady = () => {
    for (let block = done.get(reduced); block; block = done.get(reduced)) {
      done.delete(reduced++);
      reducer.reduce(block);
    }
  };
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let nextTry = BLOCK_BYTES;
    let first = true;
    for await (const chunk of bytes) {
      check();
      let buffer = chunk;
      // decodeText drops a byte order mark at the start; so do we.
      if (first && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) buffer = buffer.subarray(3);
      first = false;
      pending.push(buffer);
      pendingBytes += buffer.length;
      if (pendingBytes >= nextTry) {
        const all = Buffer.concat(pending, pendingBytes);
        // Cut after the last \n; failing that, after a lone \r (one not last: it may precede a \n).
        let cut = all.lastIndexOf(0x0a);
        if (cut < 0) cut = all.lastIndexOf(0x0d, all.length - 2);
        if (cut < 0) {
          // A line is at most maxRecordChars characters (4 bytes each at most): past that, stop reading.
          if (pendingBytes > 4 * opts.maxRecordChars) {
            throw new AppError(
              'BAD_USER_INPUT',
              `file: a line is longer than ${opts.maxRecordChars} characters (the limit); is this really JSONL?`,
            );
          }
          pending = [all];
          nextTry = pendingBytes * 2; // a very long line: look again when it has doubled
        } else {
          dispatch(all.subarray(0, cut + 1));
          pending = [all.subarray(cut + 1)];
          pendingBytes = pending[0].length;
          nextTry = BLOCK_BYTES;
        }
      }
      reduceReady();
      reducer.countTokens(TOKEN_SLICE);
      await writer.drained();
    }
    if (pendingBytes) dispatch(Buffer.concat(pending, pendingBytes));
    while (reduced < posted) {
      check();
      reduceReady();
      if (reduced === posted) break;
      if (!done.has(reduced) && worker.outstanding === 0 && !worker.ready) {
        throw new Error('the ingest worker stopped unexpectedly');
      }
      if (reducer.pendingTokens > 0) {
        reducer.countTokens(TOKEN_SLICE);
        await nextTurn();
      } else await worker.next();
      await writer.drained();
    }
    reducer.countTokens();
  } finally {
    await worker.stop();
  }
}
