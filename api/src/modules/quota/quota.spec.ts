import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, loginAdmin, type TestUser } from '../../../test/factories.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from '../../../test/training.js';
import { startTestApp, type TestApp } from '../../../test/test-app.js';
import { tusUpload, waitForEvent } from '../../../test/uploads.js';
import { DatasetVersion, DatasetVersionStatus } from '../dataset/dataset-version.entity.js';
import { Dataset } from '../dataset/dataset.entity.js';
import { CLAIM } from '../../../test/worker-ops.js';

const CREATE_PROJECT = `mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }`;
const CREATE_DATASET = `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }`;
const CREATE_VERSION = `mutation($input: CreateDatasetVersionInput!) { createDatasetVersion(input: $input) { id } }`;
const PIPELINE = `mutation($input: ApplyDatasetPipelineInput!) { applyDatasetPipeline(input: $input) { id } }`;
const PROGRESS = `subscription($id: ID!) { datasetVersionProgress(versionId: $id) { status message } }`;

const QUOTA = 40_000;
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    QUOTA_PROJECTS_PER_USER: '3',
    DATASET_PROJECT_QUOTA_BYTES: String(QUOTA),
    QUOTA_STORAGE_PER_USER_BYTES: String(10 * QUOTA),
    QUOTA_PROCESSING_JOBS_PER_PROJECT: '1',
  });
});
afterAll(() => app.close());

/** `n` rows of about 100 bytes each, as JSONL. */
const jsonl = (n: number, tag: string) =>
  Buffer.from(
    Array.from({ length: n }, (_, i) => JSON.stringify({ text: `${tag} row ${i} ${'t'.repeat(80)}` })).join('\n'),
  );

async function datasetIn(user: TestUser, projectId: string) {
  return (await app.gql(CREATE_DATASET, { input: { projectId, name: `d${Math.random()}` } }, user.token)).data!
    .createDataset.id as string;
}

const settled = (user: TestUser, id: string) =>
  waitForEvent<{ datasetVersionProgress: { status: string; message: string | null } }>(
    app,
    user.token,
    PROGRESS,
    { id },
    (e) => e.datasetVersionProgress.status !== 'PROCESSING',
  ).then((e) => e.datasetVersionProgress);

describe('quotas', () => {
  it('lets exactly QUOTA_PROJECTS_PER_USER of many parallel project creations pass, and names the numbers', async () => {
    const user = await createUser(app, ['MEMBER'], 'projects');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => app.gql(CREATE_PROJECT, { input: { name: `P${i}` } }, user.token)),
    );
    expect(results.filter((r) => r.data?.createProject).length).toBe(3);
    const refused = results.find((r) => r.errors)!;
    expect(refused.errors![0].extensions?.code).toBe('CONFLICT');
    expect(refused.errors![0].message).toMatch(/You own 3 projects; the limit is 3 \(QUOTA_PROJECTS_PER_USER\)/);
  });

  it('lets exactly the uploads that fit pass when they race for the last of the storage', async () => {
    const user = await createUser(app, ['MEMBER'], 'uploads');
    const projectId = await createProject(app, user.token, 'Uploads');
    const file = Buffer.alloc(15_000, 'a'); // two fit in 40 000 bytes, not three
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => tusUpload(app, user.token, projectId, `f${i}.txt`, file)),
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(2);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/storage quota: 30000 of 40000 bytes used \(DATASET_PROJECT_QUOTA_BYTES\)/);
  });

  it('counts dataset versions, derived ones included, toward the storage', async () => {
    const user = await createUser(app, ['MEMBER'], 'derived');
    const projectId = await createProject(app, user.token, 'Derived');
    const datasetId = await datasetIn(user, projectId);
    const uploadId = await tusUpload(app, user.token, projectId, 'rows.jsonl', jsonl(100, 'base')); // ≈ 11 kB
    const base = (await app.gql(CREATE_VERSION, { input: { datasetId, uploadId } }, user.token)).data!
      .createDatasetVersion.id;
    expect((await settled(user, base)).status).toBe('READY'); // upload + version ≈ 24 kB of 40 kB
    const derived = (
      await app.gql(PIPELINE, { input: { versionId: base, steps: [{ op: 'SHUFFLE', seed: 1 }] } }, user.token)
    ).data!.applyDatasetPipeline.id;
    expect((await settled(user, derived)).status).toBe('READY'); // ≈ 37 kB
    const again = (
      await app.gql(PIPELINE, { input: { versionId: base, steps: [{ op: 'SHUFFLE', seed: 2 }] } }, user.token)
    ).data!.applyDatasetPipeline.id;
    const third = await settled(user, again);
    expect(third.status).toBe('FAILED');
    expect(third.message).toMatch(/would take the project over its storage quota: \d+ of 40000 bytes used/);
    // An upload that uploads alone leave room for (11 kB + 20 kB) is refused: the versions take the space.
    await expect(tusUpload(app, user.token, projectId, 'more.txt', Buffer.alloc(20_000, 'b'))).rejects.toThrow(
      /storage quota/,
    );
  });

  it('refuses a new version while the project has QUOTA_PROCESSING_JOBS_PER_PROJECT processing', async () => {
    const user = await createUser(app, ['MEMBER'], 'jobs');
    const projectId = await createProject(app, user.token, 'Jobs');
    const datasetId = await datasetIn(user, projectId);
    // A version still processing (as a long ingest would be).
    const em = app.runtime.orm.em.fork();
    em.persist(
      Object.assign(new DatasetVersion(), {
        dataset: em.getReference(Dataset, datasetId),
        number: 1,
        authorId: user.id,
        status: DatasetVersionStatus.PROCESSING,
        recipe: {},
      }),
    );
    await em.flush();
    const uploadId = await tusUpload(app, user.token, projectId, 'rows.jsonl', jsonl(3, 'jobs'));
    const res = await app.gql(CREATE_VERSION, { input: { datasetId, uploadId } }, user.token);
    expect(res.errors![0].extensions?.code).toBe('CONFLICT');
    expect(res.errors![0].message).toMatch(
      /1 dataset versions are processing in this project; the limit is 1 at once \(QUOTA_PROCESSING_JOBS_PER_PROJECT\)/,
    );
  });

  it('counts checkpoints toward the storage and refuses one that does not fit', async () => {
    const user = await createUser(app, ['MEMBER'], 'checkpoints');
    const projectId = await createProject(app, user.token, 'Checkpoints');
    const version = await datasetVersion(app, user, projectId, 'rows', chatRows(4));
    const worker = await workerToken(app, await loginAdmin(app), 'quota-worker');
    await app.gql(
      `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
      { i: { hostname: 'test', gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'test' } },
      worker,
    );
    const runId = (await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token)).data!.createRun.id;
    const claim = (await app.gql(CLAIM, {}, worker)).data!.claimJob;
    expect(claim.runId).toBe(runId);
    const checkpoint = (step: number, bytes: number) =>
      fetch(`${app.url}/worker/runs/${runId}/checkpoints/${step}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${worker}`, 'x-run-attempt': String(claim.attempt) },
        body: Buffer.alloc(bytes, step),
      });
    expect((await checkpoint(1, 10_000)).status).toBe(201);
    const refused = await checkpoint(2, 30_000);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /Checkpoint 2 \(30000 bytes\) would take the project over its storage quota: \d+ of 40000 bytes used/,
    );
    // The stored checkpoint counts: an upload that would fit beside the dataset alone is refused.
    await expect(tusUpload(app, user.token, projectId, 'more.txt', Buffer.alloc(29_500, 'c'))).rejects.toThrow(
      /storage quota/,
    );
  });
});
