// Priorities order runs inside one project; across projects the queue is shared fairly, so one
// project's priority-100 burst cannot keep another project's runs waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from '../training.js';
import { CLAIM, trainingJob } from '../worker-ops.js';

let app: TestApp;
let user: TestUser;
let worker: string;

beforeAll(async () => {
  app = await startTestApp({ RUN_PROJECT_CONCURRENCY: '10', RUN_QUEUE_MONITOR_SECONDS: '1' });
  user = await createUser(app, ['MEMBER'], 'fair');
  worker = await workerToken(app, await loginAdmin(app), 'fair-worker');
  await app.gql(
    `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
    { i: { hostname: 'test', gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'test' } },
    worker,
  );
}, 120_000);
afterAll(() => app?.close());

async function project(name: string) {
  const id = await createProject(app, user.token, name);
  return datasetVersion(app, user, id, 'rows', chatRows(2));
}
async function queueRun(version: string, priority: number) {
  const res = await app.gql(CREATE_RUN, { i: tinyRun(version, {}, { priority }) }, user.token);
  expect(res.errors).toBeUndefined();
  return res.data!.createRun.id as string;
}
async function claim() {
  const res = await app.gql(CLAIM, {}, worker);
  expect(res.errors).toBeUndefined();
  return res.data!.claimJob?.runId as string | undefined;
}

/** Claims whatever earlier tests left queued, so the next claim can only find what a test queues. */
async function drainQueue() {
  while (await claim());
}

describe('the run queue across projects', () => {
  it("does not let one project's priority-100 runs keep another project's run waiting", async () => {
    const [a, b] = [await project('Burst A'), await project('Patient B')];
    const burst: string[] = [];
    for (let i = 0; i < 5; i++) burst.push(await queueRun(a, 100));
    const patient = await queueRun(b, 0);
    const claimed: string[] = [];
    while (!claimed.includes(patient) && claimed.length < 6) claimed.push((await claim())!);
    // At most one of A's runs goes first (A queued first and neither project was training).
    expect(claimed.indexOf(patient)).toBeLessThanOrEqual(1);
    expect(claimed.filter((id) => burst.includes(id)).length).toBeLessThanOrEqual(1);
  });

  it('still trains the higher priority first within one project', async () => {
    const c = await project('Ordered C');
    const low = await queueRun(c, 0);
    const high = await queueRun(c, 50);
    const claimed: string[] = [];
    while (!claimed.includes(low) && claimed.length < 10) claimed.push((await claim())!);
    expect(claimed.indexOf(high)).toBeGreaterThanOrEqual(0);
    expect(claimed.indexOf(high)).toBeLessThan(claimed.indexOf(low));
  });

  it('serves a project that has not trained lately before one that just did', async () => {
    const [d, e] = [await project('Busy D'), await project('Idle E')];
    const first = await queueRun(d, 0);
    expect(await claim()).toBe(first);
    const ended = await app.gql(
      `mutation($i: CompleteJobInput!) { completeJob(input: $i) { status } }`,
      { i: { job: trainingJob(first, 1), outcome: 'FAILED', reason: 'invalid_spec', message: 'test' } },
      worker,
    );
    expect(ended.data?.completeJob.status).toBe('FAILED');
    const again = await queueRun(d, 100);
    const fresh = await queueRun(e, 0);
    const claimed = [await claim(), await claim()];
    expect(claimed).toEqual([fresh, again]);
  });
});

describe('a worker polling while runs are queued', () => {
  it('a claim while createRun or retryRun is still in its transaction finds nothing; the run is claimed exactly once after', async () => {
    await drainQueue();
    const queue = app.runtime.queue;
    const send = queue.send.bind(queue);
    const raced: (string | undefined)[] = [];
    // The worst timing, made certain: a worker claims right after the job is inserted, while the
    // transaction that writes the run and its job is still open.
    queue.send = async (...args) => {
      const jobId = await send(...args);
      raced.push(await claim());
      return jobId;
    };
    try {
      const f = await project('Racing F');
      const run = await queueRun(f, 0);
      expect(raced).toEqual([undefined]);
      expect(await claim()).toBe(run);
      expect(await claim()).toBeUndefined();
      const ended = await app.gql(
        `mutation($i: CompleteJobInput!) { completeJob(input: $i) { status } }`,
        { i: { job: trainingJob(run, 1), outcome: 'FAILED', reason: 'invalid_spec', message: 'test' } },
        worker,
      );
      expect(ended.data?.completeJob.status).toBe('FAILED');
      const retried = await app.gql(`mutation($id: ID!) { retryRun(id: $id) { id } }`, { id: run }, user.token);
      expect(retried.errors).toBeUndefined();
      expect(raced).toEqual([undefined, undefined]);
      expect(await claim()).toBe(run);
      expect(await claim()).toBeUndefined();
      const row = await app.runtime.pool.query(`select status, attempt from runs where id = $1`, [run]);
      expect(row.rows).toEqual([{ status: 'STARTING', attempt: 2 }]);
    } finally {
      queue.send = send;
    }
  });

  it('a run whose transaction fails leaves no queue job behind', async () => {
    const queue = app.runtime.queue;
    const send = queue.send.bind(queue);
    await drainQueue();
    const version = await project('Failing G');
    let sent: string | null = null;
    queue.send = async (...args) => {
      sent = await send(...args);
      throw new Error('the database went away after the job was inserted');
    };
    try {
      const created = await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token);
      expect(created.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      queue.send = send;
    }
    expect(sent).not.toBeNull();
    const { pool } = app.runtime;
    expect((await pool.query(`select id from pgboss.job where id = $1`, [sent])).rows).toEqual([]);
    expect((await pool.query(`select id from runs where dataset_version_id = $1`, [version])).rows).toEqual([]);
    expect(await claim()).toBeUndefined();
  });
});

describe('a queued run whose queue job was lost', () => {
  it('gets a new job from the reconciler instead of waiting forever', async () => {
    const pool = app.runtime.pool;
    const run = await queueRun(await project('Orphan O'), 0);
    const jobOf = async () => (await pool.query(`select job_id, phase from runs where id = $1`, [run])).rows[0];
    const lost = (await jobOf()).job_id as string;
    // Behind the system's back: an operator cleans the queue's tables.
    await pool.query(`delete from pgboss.job where id = $1`, [lost]);
    await expect.poll(async () => (await jobOf()).job_id, { timeout: 15_000, interval: 200 }).not.toBe(lost);
    const { job_id: fresh, phase } = await jobOf();
    expect(phase).toMatch(/queue job was lost/);
    const job = await pool.query(
      `select state, data->>'id' as run, data->>'kind' as kind from pgboss.job where id = $1`,
      [fresh],
    );
    expect(job.rows).toEqual([{ state: 'created', run, kind: 'TRAINING' }]);
    const status = await pool.query(`select status from runs where id = $1`, [run]);
    expect(status.rows[0].status).toBe('QUEUED');
  });
});
