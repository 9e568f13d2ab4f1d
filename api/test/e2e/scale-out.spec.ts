// Two API instances on one database and one Redis, in this process: each has its own pub/sub
// (AppServices.pubsub), so only Redis carries an event from one to the other. A "worker" is a plain
// GraphQL client with a worker token (as in monitoring.spec.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { sharedExecutionStats } from '../../src/graphql/shared-execution.js';
import { asLeader } from '../../src/modules/job/job-reconciler.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from '../training.js';
import { CLAIM, trainingJob } from '../worker-ops.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REPORT = `mutation($i: ReportJobEventsInput!) { reportJobEvents(input: $i) { stored } }`;

let a: TestApp;
let b: TestApp;
let user: TestUser;
let version: string;
let worker: string;

beforeAll(async () => {
  const shared = {
    REDIS_URL,
    // A channel prefix of its own: test files running in parallel on the same Redis never cross.
    REDIS_CHANNEL_PREFIX: `test-${randomUUID()}:`,
    // Both instances sign and verify the same access tokens, as replicas of one deployment do.
    JWT_SECRET: randomBytes(32).toString('hex'),
    LIVE_AUTH_RECHECK_MS: '0',
  };
  a = await startTestApp(shared);
  // Replicas share the stored files too: either one may process a dataset version uploaded to the other.
  b = await startTestApp({ ...shared, DATABASE_URL: a.databaseUrl, DATA_DIR: a.config.dataDir });
  const admin = await loginAdmin(a);
  user = await createUser(a, ['MEMBER'], 'watcher');
  const projectId = await createProject(a, user.token, 'Scale');
  version = await datasetVersion(a, user, projectId, 'rows', chatRows(4));
  worker = await workerToken(a, admin, 'manual-1');
  await a.gql(
    `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
    { i: { hostname: 'test', gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'test' } },
    worker,
  );
}, 120_000);
let aClosed = false;
afterAll(async () => {
  if (!aClosed) await a?.close();
  await b?.close();
});

let seq = 0;
const metricEvents = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    seq: seq++,
    time: new Date().toISOString(),
    event: 'metric',
    data: { step: from + i, epoch: 0, values: { loss: 1 / (from + i) } },
  }));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function ws(app: TestApp): Client {
  return createClient({
    url: `${app.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${user.token}` },
  });
}

/** Follows a subscription on `app`, keeping every payload; `first` resolves with the first one. */
function follow<T>(app: TestApp, query: string, variables: Record<string, unknown>) {
  const client = ws(app);
  const seen: T[] = [];
  const errors: unknown[] = [];
  let firstSeen!: () => void;
  const first = new Promise<void>((resolve) => (firstSeen = resolve));
  client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        if (v.errors) errors.push(v.errors);
        else seen.push(v.data as T);
        firstSeen();
      },
      error: (e) => errors.push(e),
      complete: () => {},
    },
  );
  return { seen, errors, first, stop: () => client.dispose() };
}

async function queuedRun() {
  const created = await a.gql(CREATE_RUN, { i: tinyRun(version) }, user.token);
  return created.data!.createRun.id as string;
}

describe('two API instances sharing Redis', () => {
  it('never reconcile runs at the same time: a pass on B is skipped while A holds the lock', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const onA = asLeader(a.runtime.pool, async () => {
      entered();
      await gate;
    });
    await inside;
    let ranOnB = false;
    expect(await asLeader(b.runtime.pool, async () => void (ranOnB = true))).toBe(false);
    release();
    expect(await onA).toBe(true);
    expect(ranOnB).toBe(false);
    // Once A's pass is over, B's next pass runs.
    expect(await asLeader(b.runtime.pool, async () => {})).toBe(true);
  });

  it('a runUpdated subscriber on B sees the status change made on A', async () => {
    const runId = await queuedRun();
    const updates = follow<{ runUpdated: { status: string } }>(
      b,
      `subscription($id: ID!) { runUpdated(id: $id) { status } }`,
      { id: runId },
    );
    await updates.first; // B is listening and has sent the run as it was
    expect(updates.seen[0]!.runUpdated.status).toBe('QUEUED');
    const claim = await a.gql(CLAIM, {}, worker);
    expect(claim.data!.claimJob.runId).toBe(runId);
    await expect
      .poll(() => updates.seen.map((u) => u.runUpdated.status), { timeout: 5000 })
      .toEqual(['QUEUED', 'STARTING']);
    expect(updates.errors).toEqual([]);
    updates.stop();
    // Leave the queue empty for the next test's claim.
    await a.gql(
      `mutation($i: CompleteJobInput!) { completeJob(input: $i) { id } }`,
      {
        i: {
          job: trainingJob(runId, claim.data!.claimJob.attempt),
          outcome: 'FAILED',
          reason: 'invalid_spec',
          message: 'done',
        },
      },
      worker,
    );
  }, 30_000);

  it('identical subscribers on B share one execution of a batch that came through Redis', async () => {
    const runId = await queuedRun();
    const claim = await a.gql(CLAIM, {}, worker);
    expect(claim.data!.claimJob.runId).toBe(runId);
    const { attempt } = claim.data!.claimJob;
    seq = 0;
    await a.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: metricEvents(1, 5) } }, worker);
    const query = `subscription($id: ID!) { runMetrics(runId: $id, keys: ["loss"]) { points { step } } }`;
    const watchers = Array.from({ length: 5 }, () =>
      follow<{ runMetrics: { points: { step: number }[] } }>(b, query, { id: runId }),
    );
    const steps = (w: (typeof watchers)[number]) => w.seen.flatMap((m) => m.runMetrics.points.map((p) => p.step));
    // Each has had its history (steps 1-5, per subscriber): from here on it is live.
    await Promise.all(watchers.map((w) => w.first));
    const before = sharedExecutionStats().executions;
    await a.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: metricEvents(6, 10) } }, worker);
    for (const w of watchers) await expect.poll(() => steps(w)).toEqual(range(1, 10));
    expect(sharedExecutionStats().executions - before).toBe(1);
    for (const w of watchers) w.stop();
    await a.gql(
      `mutation($i: CompleteJobInput!) { completeJob(input: $i) { id } }`,
      { i: { job: trainingJob(runId, attempt), outcome: 'FAILED', reason: 'invalid_spec', message: 'done' } },
      worker,
    );
  }, 30_000);

  it('a runMetrics subscriber on B gets every point reported to A in order, once, and the rest from B after A stops', async () => {
    const runId = await queuedRun();
    const claim = await a.gql(CLAIM, {}, worker);
    expect(claim.data!.claimJob.runId).toBe(runId);
    const { attempt } = claim.data!.claimJob;
    seq = 0;
    await a.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: metricEvents(1, 50) } }, worker);
    const metrics = follow<{ runMetrics: { points: { step: number }[] } }>(
      b,
      `subscription($id: ID!) { runMetrics(runId: $id, keys: ["loss"]) { points { step } } }`,
      { id: runId },
    );
    const steps = () => metrics.seen.flatMap((m) => m.runMetrics.points.map((p) => p.step));
    await metrics.first; // the history (1..50), read on B
    for (let from = 51; from <= 300; from += 25) {
      const r = await a.gql(
        REPORT,
        { i: { job: trainingJob(runId, attempt), events: metricEvents(from, from + 24) } },
        worker,
      );
      expect(r.data!.reportJobEvents.stored).toBe(25);
    }
    await expect.poll(steps, { timeout: 5000 }).toEqual(range(1, 300));

    // A goes away mid-run; the worker carries on against B.
    await a.close();
    aClosed = true;
    for (let from = 301; from <= 400; from += 25) {
      const r = await b.gql(
        REPORT,
        { i: { job: trainingJob(runId, attempt), events: metricEvents(from, from + 24) } },
        worker,
      );
      expect(r.data!.reportJobEvents.stored).toBe(25);
    }
    await expect.poll(steps, { timeout: 5000 }).toEqual(range(1, 400));
    expect(metrics.errors).toEqual([]);
    metrics.stop();
  }, 60_000);
});
