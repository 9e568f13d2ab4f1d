// Worker thread for parallel.ts: maps blocks of JSONL bytes (see map.ts) and posts them back.
import { parentPort, workerData } from 'node:worker_threads';
import { mapJsonLines, type MapOptions } from './map.js';

const opts = workerData as MapOptions;
const port = parentPort!;
port.on('message', ({ seq, bytes }: { seq: number; bytes: Uint8Array }) => {
  const block = mapJsonLines(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), opts);
  port.postMessage({ seq, block }, [block.nums.buffer as ArrayBuffer, block.json.buffer as ArrayBuffer]);
});
port.postMessage({ ready: true });
