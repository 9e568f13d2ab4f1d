// Dataset benchmarks. Prints figures as ratios to baselines measured in the same run (the machine is noisy).
//   npm run bench:datasets -- [--mb 1024] [--rows 1000000] [--upload-mb 2048]
// 1. Ingest throughput (parse + validate + normalise + hash + stats) on a generated JSONL file, against
//    a raw read + JSON.parse of the same file.                               goal ≥ 0.4×
// 2. API resident memory growth while a large file is uploaded through tus.   goal ≤ 150 MB
// 3. Preview page latency (p95) at random offsets of a large version: the row store's read alone, and
//    the page as the web app asks for it (GraphQL over HTTP, access checks included).  goal ≤ 100 ms
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { RowStore } from '../api/src/storage/row-store.js';
import { fsStorage } from '../api/src/storage/storage.js';
import { ingest } from '../api/src/modules/dataset/ingest/ingest.js';
import { tokenCounter } from '../api/src/modules/dataset/tokenizers.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '1024' },
    rows: { type: 'string', default: '1000000' },
    'upload-mb': { type: 'string', default: '2048' },
    'preview-mb': { type: 'string', default: '256' },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'llmt-bench-'));
const limits = {
  maxDecompressedBytes: 1e12,
  maxCompressionRatio: 1000,
  maxJsonBytes: 1e9,
  maxRecordChars: 1e8,
  maxRowChars: 1e7,
};

async function writeJsonl(path: string, targetBytes: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  let rows = 0;
  while (bytes < targetBytes) {
    const line = `${JSON.stringify({
      conversations: [
        { from: 'human', value: `问题 ${rows}: how do I fine-tune Qwen3 with LoRA on ${rows % 97} GPUs?` },
        { from: 'gpt', value: `回答 ${rows}: use a rank of ${rows % 64} and a learning rate of 2e-4. `.repeat(3) },
      ],
    })}\n`;
    bytes += Buffer.byteLength(line);
    rows++;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return rows;
}

async function baseline(path: string) {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity }))
    if (line) n += JSON.parse(line) ? 1 : 0;
  return n;
}

async function ingestBench() {
  const path = join(dir, 'ingest.jsonl');
  const rows = await writeJsonl(path, Number(values.mb) * 1024 * 1024);
  const mb = statSync(path).size / 1024 / 1024;
  let t = performance.now();
  await baseline(path);
  const baseSeconds = (performance.now() - t) / 1000;
  const store = fsStorage(join(dir, 'store')).rows;
  t = performance.now();
  // Token statistics cover the first 10,000 rows (as in the product), counted on this thread while
  // a worker maps the rest (see ingest/parallel.ts).
  const result = await ingest(store, {
    path,
    filename: 'ingest.jsonl',
    excludeInvalid: false,
    limits,
    tokenizer: tokenCounter('qwen3'),
  });
  const ingestSeconds = (performance.now() - t) / 1000;
  console.log(`ingest: ${mb.toFixed(0)} MB, ${rows} rows (${result.rows} stored)`);
  console.log(`  raw read + JSON.parse: ${(mb / baseSeconds).toFixed(1)} MB/s`);
  console.log(
    `  platform ingest:       ${(mb / ingestSeconds).toFixed(1)} MB/s  → ratio ${(baseSeconds / ingestSeconds).toFixed(2)}× (goal ≥ 0.4×)`,
  );
  return { store, hash: result.hash, rows: result.rows };
}

async function previewBench(store: RowStore, hash: string, rows: number) {
  const samples: number[] = [];
  for (let i = 0; i < 300; i++) {
    const offset = Math.floor(Math.random() * Math.max(1, rows - 50));
    const t = performance.now();
    await store.read(hash, offset, 50);
    samples.push(performance.now() - t);
  }
  const p = percentiles(samples);
  console.log(
    `preview, row store read only: 300 pages of 50 rows at random offsets of a ${rows}-row version: p50 ${p(0.5)} ms, p95 ${p(0.95)} ms (goal p95 ≤ 100 ms)`,
  );
}

const percentiles = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return (q: number) => sorted[Math.floor(q * (sorted.length - 1))].toFixed(2);
};

/** The preview page as users get it: an uploaded version, then `datasetVersion { rows }` over HTTP. */
async function graphqlPreviewBench(app: import('./support/app.js').BenchApp) {
  const { tusUploadFile } = await import('./support/upload.js');
  const path = join(dir, 'preview.jsonl');
  await writeJsonl(path, Number(values['preview-mb']) * 1024 * 1024);
  const uploadId = await tusUploadFile(app, path);
  const dataset = await app.gql(`mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }`, {
    i: { projectId: app.projectId, name: 'preview' },
  });
  const created = await app.gql(`mutation($i: CreateDatasetVersionInput!) { createDatasetVersion(input: $i) { id } }`, {
    i: { datasetId: dataset.data.createDataset.id, uploadId },
  });
  const versionId = created.data.createDatasetVersion.id as string;
  const STATUS = `query($id: ID!) { datasetVersion(id: $id) { status rowCount error } }`;
  let version = (await app.gql(STATUS, { id: versionId })).data.datasetVersion;
  while (version.status === 'PROCESSING') {
    await new Promise((r) => setTimeout(r, 500)); // a benchmark's wait for ingest, not a test's synchronisation
    version = (await app.gql(STATUS, { id: versionId })).data.datasetVersion;
  }
  if (version.status !== 'READY') throw new Error(`preview version ${version.status}: ${version.error}`);
  const PAGE = `query($id: ID!, $o: Int!) { datasetVersion(id: $id) { rows(offset: $o, limit: 50) { total rows { index data } } } }`;
  const samples: number[] = [];
  for (let i = 0; i < 300; i++) {
    const offset = Math.floor(Math.random() * Math.max(1, version.rowCount - 50));
    const t = performance.now();
    const page = await app.gql(PAGE, { id: versionId, o: offset });
    samples.push(performance.now() - t);
    if (page.data?.datasetVersion.rows.rows.length !== 50) throw new Error(JSON.stringify(page.errors ?? page));
  }
  const p = percentiles(samples);
  console.log(
    `preview, GraphQL page (HTTP, auth, access check, JSON): 300 pages of 50 rows at random offsets of a ${version.rowCount}-row version: p50 ${p(0.5)} ms, p95 ${p(0.95)} ms (goal p95 ≤ 100 ms)`,
  );
}

async function uploadBench() {
  const { startTestAppForBench } = await import('./support/app.js');
  const app = await startTestAppForBench();
  try {
    await graphqlPreviewBench(app);
    const { tusUploadFile, sampleRss } = await import('./support/upload.js');
    const path = join(dir, 'upload.bin');
    await writeJsonl(path, Number(values['upload-mb']) * 1024 * 1024);
    const before = process.memoryUsage().rss;
    let peak = before;
    const stop = sampleRss((rss) => (peak = Math.max(peak, rss)));
    const t = performance.now();
    await tusUploadFile(app, path);
    stop();
    const mb = statSync(path).size / 1024 / 1024;
    console.log(
      `upload: ${mb.toFixed(0)} MB through tus in ${((performance.now() - t) / 1000).toFixed(1)} s; resident memory growth ${((peak - before) / 1024 / 1024).toFixed(1)} MB (goal ≤ 150 MB; client and server share this process)`,
    );
  } finally {
    await app.close();
  }
}

try {
  const { store, hash, rows } = await ingestBench();
  await previewBench(store, hash, rows);
  await uploadBench();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
