import { randomBytes } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, type TestUser } from '../../../test/factories.js';
import { startTestApp, type TestApp } from '../../../test/test-app.js';
import { DatasetVersion, DatasetVersionStatus } from './dataset-version.entity.js';
import { Dataset } from './dataset.entity.js';

/** Size of the large version: 1 GiB (about 30 s on a 2-core machine); PARQUET_TEST_BYTES overrides it. */
const LARGE_BYTES = Number(process.env.PARQUET_TEST_BYTES ?? 1024 ** 3);

let app: TestApp;
let owner: TestUser;
let datasetId: string;
beforeAll(async () => {
  app = await startTestApp();
  owner = await createUser(app, ['MEMBER'], 'parquet');
  const projectId = await createProject(app, owner.token, 'Parquet');
  const created = await app.gql(
    `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }`,
    { input: { projectId, name: 'big' } },
    owner.token,
  );
  datasetId = created.data!.createDataset.id;
});
afterAll(() => app.close());

let number = 0;
/** A READY version whose row set is written straight to the row store (no upload to parse). */
async function versionOf(rows: Iterable<unknown>, splits: { train: number; validation: number; test: number } | null) {
  const writer = await app.runtime.storage.rows.writer();
  let n = 0;
  for (const row of rows) {
    writer.append(JSON.stringify(row));
    if (++n % 1000 === 0) await writer.drained();
  }
  const { hash, rows: count } = await writer.commit();
  const em = app.runtime.orm.em.fork();
  const version = Object.assign(new DatasetVersion(), {
    dataset: em.getReference(Dataset, datasetId),
    number: ++number,
    authorId: owner.id,
    status: DatasetVersionStatus.READY,
    contentHash: hash,
    rowCount: count,
    schemaKind: 'TEXT',
    splits,
    recipe: {},
  });
  await em.persist(version).flush();
  return version.id;
}

const download = (id: string) =>
  fetch(`${app.url}/datasets/versions/${id}/download?format=parquet`, {
    headers: { authorization: `Bearer ${owner.token}` },
  });

describe('Parquet download', () => {
  it('writes every row, columns in order of first appearance, missing values empty, and the split', async () => {
    const rows = [
      { text: 'a' },
      { messages: [{ role: 'user', content: '你好' }] },
      ...Array.from({ length: 2500 }, (_, i) => ({ text: `row ${i}`, meta: { i } })),
    ];
    const id = await versionOf(rows, { train: 2000, validation: 400, test: 102 });
    const res = await download(id);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const read = await parquetReadObjects({ file: bytes.buffer });
    expect(read).toHaveLength(2502);
    expect(Object.keys(read[0])).toEqual(['text', 'messages', 'meta', 'split']);
    expect(read[0]).toEqual({ text: 'a', messages: '', meta: '', split: 'train' });
    expect(read[1]).toEqual({ text: '', messages: '[{"role":"user","content":"你好"}]', meta: '', split: 'train' });
    expect(read[2500]).toEqual({ text: 'row 2498', messages: '', meta: '{"i":2498}', split: 'test' });
    expect(read[2100].split).toBe('validation');
  });

  it(`streams a large version in row groups: memory grows far less than the version (${LARGE_BYTES >> 20} MiB)`, async () => {
    const rowChars = 8 * 1024;
    const count = Math.ceil(LARGE_BYTES / (rowChars + 12));
    // Random text: neither compressible nor dictionary-encodable, so the file is as large as the rows.
    const id = await versionOf(
      (function* () {
        for (let i = 0; i < count; i++) yield { text: randomBytes((rowChars * 3) / 4).toString('base64') };
      })(),
      null,
    );
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    let received = 0;
    try {
      // node:http rather than fetch: the client shares this process and should hold as little as it can.
      const res = await new Promise<IncomingMessage>((resolve, reject) =>
        get(
          `${app.url}/datasets/versions/${id}/download?format=parquet`,
          { headers: { authorization: `Bearer ${owner.token}` } },
          resolve,
        ).on('error', reject),
      );
      expect(res.statusCode).toBe(200);
      for await (const chunk of res as AsyncIterable<Buffer>) received += chunk.length;
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    console.log(
      `parquet download: version ${(LARGE_BYTES / 1024 ** 2).toFixed(0)} MiB (${count} rows), sent ${(received / 1024 ** 2).toFixed(0)} MiB, RSS growth ${(growth / 1024 ** 2).toFixed(0)} MiB`,
    );
    expect(received).toBeGreaterThan(LARGE_BYTES / 2);
    expect(growth).toBeLessThan(Math.min(150 * 1024 ** 2, LARGE_BYTES / 3));
  }, 120_000);
});
