// The platform on S3-compatible storage (STORAGE_URL + S3_*, a real local s3rver): a dataset
// uploaded, versioned, trained on by the real agent and trainer, and the model downloaded, with every
// stored file in the bucket and none under DATA_DIR.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../workers/agent/src/agent.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { startLocalS3, type LocalS3 } from '../s3.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, FINISHED, chatRows, datasetVersion, startAgent, tinyRun, waitForRun } from '../training.js';

const PREFIX = 'e2e/llmt';
let s3: LocalS3;
let app: TestApp;
let user: TestUser;
let agent: Agent;

beforeAll(async () => {
  s3 = await startLocalS3();
  app = await startTestApp({ ...s3.env(PREFIX), RUN_QUEUE_MONITOR_SECONDS: '1', RUN_RETRY_DELAY_SECONDS: '0' });
  user = await createUser(app, ['MEMBER'], 's3-trainer');
  agent = await startAgent(app, await loginAdmin(app), 'cpu-s3');
}, 120_000);
afterAll(async () => {
  await agent?.stop();
  await app?.close();
  await s3?.close();
});

describe('with STORAGE_URL=s3://…', () => {
  it('stores the upload, rows, checkpoints and model in the bucket; the model downloads from it', async () => {
    expect(app.config.storage.kind).toBe('s3');
    expect(await (await fetch(`${app.url}/health/ready`)).json()).toEqual({ status: 'ready' });
    const projectId = await createProject(app, user.token, 'On S3');
    const versionId = await datasetVersion(app, user, projectId, 'chat', chatRows(24));
    const version = await app.gql(
      `query($id: ID!) { datasetVersion(id: $id) { status rowCount rows(offset: 22, limit: 5) { rows { index } } } }`,
      { id: versionId },
      user.token,
    );
    expect(version.data!.datasetVersion).toEqual({
      status: 'READY',
      rowCount: 24,
      rows: { rows: [{ index: 22 }, { index: 23 }] },
    });

    const created = await app.gql(CREATE_RUN, { i: tinyRun(versionId) }, user.token);
    expect(created.errors).toBeUndefined();
    const runId = created.data!.createRun.id;
    const run = await waitForRun(app, user.token, runId, (r) => FINISHED.includes(r.status));
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');

    const keys = new Set(await s3.keys(`${PREFIX}/`));
    const key = (area: string, hash: string) => `${PREFIX}/${area}/${hash.slice(0, 2)}/${hash}`;
    const { rows: uploads } = await app.runtime.pool.query<{ sha256: string }>(
      `select sha256 from uploads where project_id = $1`,
      [projectId],
    );
    expect(uploads.length).toBe(1);
    expect(keys).toContain(key('uploads/blobs', uploads[0].sha256));
    const { rows: versions } = await app.runtime.pool.query<{ content_hash: string }>(
      `select content_hash from dataset_versions where id = $1`,
      [versionId],
    );
    expect(keys).toContain(`${key('datasets/rows', versions[0].content_hash)}/rows.jsonl`);
    expect(keys).toContain(`${key('datasets/rows', versions[0].content_hash)}/rows.idx`);
    const { rows: checkpoints } = await app.runtime.pool.query<{ step: number; artifact: string }>(
      `select step, artifact from run_checkpoints where run_id = $1 order by step`,
      [runId],
    );
    expect(checkpoints.map((c) => c.step)).toEqual([2, 4, 6]);
    for (const c of checkpoints) expect(keys).toContain(key('artifacts', c.artifact));
    const { rows: models } = await app.runtime.pool.query<{ id: string; artifact: string }>(
      `select id, artifact from model_versions where run_id = $1`,
      [runId],
    );
    expect(keys).toContain(key('artifacts', models[0].artifact));
    // Nothing half-written left behind, and nothing stored on local disk but tus's (empty) incoming folder.
    expect([...keys].filter((k) => k.includes('/tmp/'))).toEqual([]);
    for (const area of ['artifacts', 'datasets', join('uploads', 'blobs')])
      expect(existsSync(join(app.config.dataDir, area)), area).toBe(false);
    expect(readdirSync(join(app.config.dataDir, 'uploads', 'incoming'))).toEqual([]);

    const download = await fetch(`${app.url}/models/versions/${models[0].id}/download`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(download.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'llmt-s3-model-'));
    writeFileSync(join(dir, 'model.tar.gz'), Buffer.from(await download.arrayBuffer()));
    await tar.x({ file: join(dir, 'model.tar.gz'), cwd: dir });
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['adapter_model.safetensors', 'adapter_config.json']));
    expect(JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')).base_model_name_or_path).toBe(
      'llm-trainer/tiny-qwen3',
    );
  }, 300_000);
});
