import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, type TestUser } from '../../../test/factories.js';
import { startTestApp, type TestApp } from '../../../test/test-app.js';
import { tusUpload, waitForEvent } from '../../../test/uploads.js';
import type { AppServices } from '../../services.js';
import { DatasetVersion } from './dataset-version.entity.js';
import { Dataset } from './dataset.entity.js';
import { processVersion, repairVersionJobs } from './version-jobs.js';

let app: TestApp;
let owner: TestUser;
let ready: DatasetVersion;
beforeAll(async () => {
  app = await startTestApp();
  owner = await createUser(app, ['MEMBER'], 'jobs');
  const projectId = await createProject(app, owner.token, 'Jobs');
  const datasetId = (
    await app.gql(
      `mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }`,
      { i: { projectId, name: 'jobs' } },
      owner.token,
    )
  ).data!.createDataset.id;
  const rows = Array.from({ length: 30 }, (_, i) => JSON.stringify({ text: `第 ${i} 行 row ${i}` })).join('\n');
  const uploadId = await tusUpload(app, owner.token, projectId, 'rows.jsonl', Buffer.from(rows));
  const id = (
    await app.gql(
      `mutation($i: CreateDatasetVersionInput!) { createDatasetVersion(input: $i) { id } }`,
      { i: { datasetId, uploadId } },
      owner.token,
    )
  ).data!.createDatasetVersion.id;
  await waitForEvent<{ datasetVersionProgress: { status: string } }>(
    app,
    owner.token,
    `subscription($id: ID!) { datasetVersionProgress(versionId: $id) { status } }`,
    { id },
    (e) => e.datasetVersionProgress.status !== 'PROCESSING',
  );
  ready = await app.runtime.orm.em.fork().findOneOrFail(DatasetVersion, { id }, { populate: ['dataset'] });
});
afterAll(() => app.close());

const read = (id: string) => app.runtime.orm.em.fork().findOneOrFail(DatasetVersion, { id });

/** A PROCESSING version of the same upload with no job: as one from before jobs, or whose job was deleted. */
async function versionWithoutJob(): Promise<string> {
  const em = app.runtime.orm.em.fork();
  const last = await em.findOneOrFail(DatasetVersion, { dataset: ready.dataset.id }, { orderBy: { number: 'desc' } });
  const { detected: _detected, ...recipe } = ready.recipe;
  const version = Object.assign(new DatasetVersion(), {
    dataset: em.getReference(Dataset, ready.dataset.id),
    number: last.number + 1,
    authorId: ready.authorId,
    message: 'no job',
    recipe,
  });
  await em.persist(version).flush();
  return version.id;
}

describe('dataset-version jobs', () => {
  it('records the first try of an imported version: READY after one attempt', () => {
    expect(ready).toMatchObject({ status: 'READY', attempts: 1, input: null, rowCount: 30 });
  });

  it('sends the job again for a PROCESSING version whose job is gone, once', async () => {
    const id = await versionWithoutJob();
    expect(await repairVersionJobs(app.runtime)).toEqual({ resent: 1, failed: 0 });
    expect(await repairVersionJobs(app.runtime)).toMatchObject({ resent: 0 });
    await expect.poll(async () => (await read(id)).status, { timeout: 10_000, interval: 100 }).toBe('READY');
    expect(await read(id)).toMatchObject({ attempts: 1, contentHash: ready.contentHash, rowCount: 30 });
  });

  it('sends a fresh job for a PROCESSING version whose job says it completed (a database restored onto an old queue)', async () => {
    const id = await versionWithoutJob();
    expect(await app.runtime.jobs.sendNow('no-such-kind', {}, { id })).toBe(true);
    await app.runtime.pool.query(`update pgboss.job set state = 'completed' where name = 'jobs-api' and id = $1`, [id]);
    expect(await repairVersionJobs(app.runtime)).toEqual({ resent: 1, failed: 0 });
    await expect.poll(async () => (await read(id)).status, { timeout: 10_000, interval: 100 }).toBe('READY');
  });

  it('fails, with a reason, a PROCESSING version whose job ended without a result', async () => {
    const id = await versionWithoutJob();
    const jobs = { state: async () => 'failed' } as unknown as AppServices['jobs'];
    expect(await repairVersionJobs({ ...app.runtime, jobs })).toEqual({ resent: 0, failed: 1 });
    expect(await read(id)).toMatchObject({
      status: 'FAILED',
      error: 'Processing stopped after 3 tries (the server processing it stopped each time); create the version again',
    });
  });

  it('does nothing for a version that is already READY (a repeated or late job)', async () => {
    await processVersion(app.runtime, ready.id, new AbortController().signal);
    expect(await read(ready.id)).toMatchObject({ status: 'READY', attempts: 1, contentHash: ready.contentHash });
  });

  it('writes nothing when it loses the job midway, and a retry finishes the version', async () => {
    const id = await versionWithoutJob();
    const lost = new AbortController();
    lost.abort(new Error('lease lost'));
    await expect(processVersion(app.runtime, id, lost.signal)).rejects.toThrow('lease lost');
    expect(await read(id)).toMatchObject({ status: 'PROCESSING', attempts: 1, error: null, contentHash: null });
    await processVersion(app.runtime, id, new AbortController().signal);
    expect(await read(id)).toMatchObject({ status: 'READY', attempts: 2, contentHash: ready.contentHash });
  });

  it('refuses to send a job outside a transaction (it must commit with its row)', async () => {
    const em = app.runtime.orm.em.fork();
    await expect(
      app.runtime.jobs.send(em, 'dataset-version', { versionId: ready.id }, { id: ready.id }),
    ).rejects.toThrow(/inside em.transactional/);
  });
});
