// Dataset versions are processed as jobs that any API instance takes: an instance SIGKILLed mid-import
// has its version finished by the next one (the same rows as an uninterrupted import), and instances
// sharing a database process each version exactly once and never fail one another's.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, startApiProcess, type ApiProcess } from '../api-process.js';
import { createProject, createUser, type TestUser } from '../factories.js';
import { freshDatabase, type TestApp } from '../test-app.js';
import { tusUpload, waitForEvent } from '../uploads.js';

const CREATE_DATASET = `mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }`;
const CREATE_VERSION = `mutation($i: CreateDatasetVersionInput!) { createDatasetVersion(input: $i) { id status } }`;
const PROGRESS = `subscription($id: ID!) { datasetVersionProgress(versionId: $id) { status rowsProcessed message } }`;
type Progress = { datasetVersionProgress: { status: string; rowsProcessed: number; message: string | null } };

/** `rows` distinct chat rows (Chinese and English) as JSONL, `tag` making this file's rows its own. */
function chatJsonl(rows: number, tag: string): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    lines.push(
      JSON.stringify({
        messages: [
          { role: 'user', content: `${tag} 第 ${i} 个问题: what is ${i} + ${i % 97}?` },
          { role: 'assistant', content: `${tag} answer ${i}: ${i + (i % 97)}，谢谢。` },
        ],
      }),
    );
  }
  return Buffer.from(lines.join('\n'));
}

async function createVersion(app: TestApp, user: TestUser, datasetId: string, uploadId: string) {
  const res = await app.gql(CREATE_VERSION, { i: { datasetId, uploadId } }, user.token);
  if (!res.data?.createDatasetVersion) throw new Error(JSON.stringify(res.errors));
  return res.data.createDatasetVersion.id as string;
}

async function newDataset(app: TestApp, user: TestUser, projectId: string, name: string) {
  return (await app.gql(CREATE_DATASET, { i: { projectId, name } }, user.token)).data!.createDataset.id as string;
}

interface VersionRow {
  id: string;
  status: string;
  error: string | null;
  attempts: number;
  content_hash: string | null;
  row_count: number;
}
const versionRows = async (pool: pg.Pool, ids: string[]) =>
  (
    await pool.query<VersionRow>(
      `select id, status, error, attempts, content_hash, row_count from dataset_versions where id = any($1)`,
      [ids],
    )
  ).rows;

describe('an API instance SIGKILLed while it imports an upload', () => {
  const port = 47000 + Math.floor(Math.random() * 1000);
  const dataDir = mkdtempSync(join(tmpdir(), 'llmt-jobs-kill-'));
  const app = apiClient(port);
  let api: ApiProcess | null = null;
  let pool: pg.Pool | null = null;
  afterAll(async () => {
    await api?.kill();
    await pool?.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves the version to the restarted instance, which makes it READY with the rows of an uninterrupted import', async () => {
    const databaseUrl = await freshDatabase();
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // A short lease: the killed instance's job is taken over ~10 s after its last renewal.
    const env = { API_JOB_LEASE_SECONDS: '10', RUN_QUEUE_MONITOR_SECONDS: '1' };
    api = await startApiProcess({ databaseUrl, dataDir, port, env });
    const user = await createUser(app, ['MEMBER'], 'jobs');
    const projectId = await createProject(app, user.token, 'Jobs');
    const rows = 150_000; // ≈ 20 MB: a few seconds of processing on these machines
    const uploadId = await tusUpload(app, user.token, projectId, 'big.jsonl', chatJsonl(rows, 'kill'));

    const killed = await createVersion(app, user, await newDataset(app, user, projectId, 'killed'), uploadId);
    const seen = await waitForEvent<Progress>(
      app,
      user.token,
      PROGRESS,
      { id: killed },
      (e) => e.datasetVersionProgress.status !== 'PROCESSING' || e.datasetVersionProgress.rowsProcessed >= 10_000,
    );
    await api.kill();
    expect(seen.datasetVersionProgress, 'the import must still be running when the API is killed').toMatchObject({
      status: 'PROCESSING',
    });
    expect((await versionRows(pool, [killed]))[0]).toMatchObject({ status: 'PROCESSING', attempts: 1 });

    api = await startApiProcess({ databaseUrl, dataDir, port, env });
    await expect
      .poll(async () => (await versionRows(pool!, [killed]))[0].status, { timeout: 45_000, interval: 200 })
      .not.toBe('PROCESSING');
    const resumed = (await versionRows(pool, [killed]))[0];
    expect(resumed).toMatchObject({ status: 'READY', error: null, attempts: 2, row_count: rows });

    // The same upload imported without interruption gives the same rows, hence the same hash.
    const whole = await createVersion(app, user, await newDataset(app, user, projectId, 'whole'), uploadId);
    const done = await waitForEvent<Progress>(
      app,
      user.token,
      PROGRESS,
      { id: whole },
      (e) => e.datasetVersionProgress.status !== 'PROCESSING',
    );
    expect(done.datasetVersionProgress.status).toBe('READY');
    const uninterrupted = (await versionRows(pool, [whole]))[0];
    expect(uninterrupted).toMatchObject({ attempts: 1, row_count: rows });
    expect(resumed.content_hash).toBe(uninterrupted.content_hash);
    // What is stored under that hash is whole (not a leftover of the killed try).
    const hash = resumed.content_hash!;
    const stored = readFileSync(join(dataDir, 'datasets', 'rows', hash.slice(0, 2), hash, 'rows.jsonl'));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(hash);
  }, 120_000);
});

describe('API processes sharing one database and DATA_DIR', () => {
  const ports = [0, 1, 2].map((i) => 48000 + i * 300 + Math.floor(Math.random() * 300));
  const dataDir = mkdtempSync(join(tmpdir(), 'llmt-jobs-shared-'));
  const apis: ApiProcess[] = [];
  let pool: pg.Pool | null = null;
  afterAll(async () => {
    await Promise.all(apis.map((api) => api.kill()));
    await pool?.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('process ten uploads, each exactly once, and a process starting meanwhile fails none of them', async () => {
    const databaseUrl = await freshDatabase();
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const env = {
      JWT_SECRET: randomBytes(32).toString('hex'),
      QUOTA_PROCESSING_JOBS_PER_PROJECT: '20',
      QUOTA_PROCESSING_JOBS_PER_USER: '20',
    };
    const start = (i: number) => startApiProcess({ databaseUrl, dataDir, port: ports[i], env });
    apis.push(await start(0)); // alone first: it migrates the fresh database
    apis.push(await start(1));
    const [a, b] = [apiClient(ports[0]), apiClient(ports[1])];
    const user = await createUser(a, ['MEMBER'], 'shared');
    const projectId = await createProject(a, user.token, 'Shared');
    const datasetId = await newDataset(a, user, projectId, 'ten');
    const rows = 20_000;
    const files = Array.from({ length: 10 }, () => chatJsonl(rows, randomUUID()));
    // Half of the uploads and versions through each process, all at once.
    const ids = await Promise.all(
      files.map(async (file, i) => {
        const via = i % 2 ? b : a;
        return createVersion(via, user, datasetId, await tusUpload(via, user.token, projectId, `f${i}.jsonl`, file));
      }),
    );
    const processing = (await versionRows(pool, ids)).filter((v) => v.status === 'PROCESSING').length;
    expect(processing, 'versions still processing when the third process starts').toBeGreaterThan(0);
    apis.push(await start(2));

    await expect
      .poll(async () => (await versionRows(pool!, ids)).filter((v) => v.status === 'PROCESSING').length, {
        timeout: 50_000,
        interval: 200,
      })
      .toBe(0);
    const versions = await versionRows(pool, ids);
    expect(versions.map((v) => v.status)).toEqual(Array(10).fill('READY'));
    expect(versions.map((v) => v.attempts)).toEqual(Array(10).fill(1));
    expect(versions.map((v) => v.row_count)).toEqual(Array(10).fill(rows));
    expect(new Set(versions.map((v) => v.content_hash)).size).toBe(10);
    // Each version's job ran once and completed (no retry, no second job).
    const jobs = await pool.query<{ id: string; state: string; retry_count: number }>(
      `select id, state, retry_count from pgboss.job where name = 'jobs-api' and id = any($1)`,
      [ids],
    );
    expect(jobs.rows.map((j) => [j.state, j.retry_count])).toEqual(Array(10).fill(['completed', 0]));
  }, 120_000);
});
