// Child process of s3-streaming.spec.ts: puts a generated stream of SIZE bytes through the S3 store
// and reads it back, then prints its memory figures (its RSS is what the test bounds, not the test
// runner's or s3rver's).
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../src/config.js';
import { S3ObjectStore } from '../src/storage/s3-object-store.js';
import { s3Client } from '../src/storage/storage.js';

const size = Number(process.env.SIZE);
const storage = loadConfig(process.env).storage;
if (storage.kind !== 's3') throw new Error('STORAGE_URL must be s3://');
const objects = new S3ObjectStore({ client: s3Client(storage), bucket: storage.bucket, prefix: storage.prefix });

/** SIZE bytes in fresh 64 KiB chunks (as a socket delivers them), each stamped with its number. */
function generated() {
  const hash = createHash('sha256');
  let sent = 0;
  const stream = Readable.from(
    (async function* () {
      for (let n = 0; sent < size; n++) {
        const chunk = Buffer.alloc(Math.min(64 * 1024, size - sent), n % 251);
        chunk.writeUInt32LE(n, 0);
        hash.update(chunk);
        sent += chunk.length;
        yield chunk;
      }
    })(),
  );
  return { stream, digest: () => hash.digest('hex') };
}

// Warm up (SDK modules, sockets, buffers) before the baseline.
await objects.put('warm-up', Buffer.alloc(1024 * 1024));
await objects.read('warm-up');
const baseline = process.memoryUsage().rss;

const started = performance.now();
const body = generated();
const { sizeBytes } = await objects.put('big/object', body.stream);
const putSeconds = (performance.now() - started) / 1000;
const peakAfterPut = process.resourceUsage().maxRSS * 1024;

const readHash = createHash('sha256');
let readBytes = 0;
await pipeline(
  await objects.open('big/object'),
  new Writable({
    write(chunk: Buffer, _enc, done) {
      readHash.update(chunk);
      readBytes += chunk.length;
      done();
    },
  }),
);
const getSeconds = (performance.now() - started) / 1000 - putSeconds;
await objects.delete('big/object');

console.log(
  JSON.stringify({
    sizeBytes,
    readBytes,
    sameBytes: readHash.digest('hex') === body.digest(),
    baselineRss: baseline,
    // Peak resident set over the whole process life (kernel's figure, so no spike is missed).
    peakRss: process.resourceUsage().maxRSS * 1024,
    peakAfterPut,
    putSeconds,
    getSeconds,
  }),
);
