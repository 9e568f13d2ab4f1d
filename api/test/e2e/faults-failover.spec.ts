// Two API instances on one database and one Redis; a runMetrics subscriber connected to instance A
// while a worker reports to A or B. A is SIGKILLed mid-stream: the client reconnects to B and resumes
// from its cursor (afterStep), and ends with every step once, in order.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startApiProcess, type ApiProcess } from '../api-process.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { freePort } from '../fault-servers.js';
import { followMetrics, range } from '../metric-follower.js';
import { freshDatabase, startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from '../training.js';
import { CLAIM, REPORT, trainingJob } from '../worker-ops.js';

const dataDir = mkdtempSync(join(tmpdir(), 'llmt-failover-'));
let processA: ApiProcess;
let a: TestApp;
let b: TestApp;
let user: TestUser;
let worker: string;
let version: string;

beforeAll(async () => {
  const databaseUrl = await freshDatabase();
  const shared = {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_CHANNEL_PREFIX: `test-${randomUUID()}:`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    // The worker here is a test playing one by hand: it sends no heartbeats, so its lease must not lapse.
    RUN_LEASE_SECONDS: '600',
  };
  const port = await freePort();
  processA = await startApiProcess({ databaseUrl, dataDir, port, env: shared });
  a = apiClient(port);
  b = await startTestApp({ ...shared, DATABASE_URL: databaseUrl, DATA_DIR: dataDir });
  const admin = await loginAdmin(a);
  user = await createUser(a, ['MEMBER'], 'failover');
  const projectId = await createProject(a, user.token, 'Failover');
  version = await datasetVersion(a, user, projectId, 'rows', chatRows(4));
  worker = await workerToken(a, admin, 'manual-failover');
  const registered = await b.gql(
    `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
    { i: { hostname: 'test', gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'test' } },
    worker,
  );
  expect(registered.errors).toBeUndefined();
}, 120_000);
afterAll(async () => {
  await processA?.kill();
  await b?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

let seq = 0;
const metricEvents = (from: number, to: number) =>
  range(from, to).map((step) => ({
    seq: seq++,
    time: new Date().toISOString(),
    event: 'metric',
    data: { step, epoch: 0, values: { loss: 1 / step } },
  }));

describe('an API instance SIGKILLed under a live runMetrics subscriber', () => {
  it('the client reconnects to the other instance and resumes from its cursor: every step once, in order', async () => {
    const runId = (await b.gql(CREATE_RUN, { i: tinyRun(version) }, user.token)).data!.createRun.id as string;
    const claim = await b.gql(CLAIM, {}, worker);
    expect(claim.data!.claimJob.runId).toBe(runId);
    const job = trainingJob(runId, claim.data!.claimJob.attempt);
    const storedBy = { a: 0, b: 0 };
    /** Reports steps from..to to `prefer`, or to the other instance when `prefer` does not answer. */
    const report = async (from: number, to: number, prefer: 'a' | 'b') => {
      const events = metricEvents(from, to);
      for (const name of prefer === 'a' ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
        const res = await (name === 'a' ? a : b).gql(REPORT, { i: { job, events } }, worker).catch(() => null);
        if (!res) continue; // connection refused: that instance is gone
        expect(res.errors).toBeUndefined();
        expect(res.data!.reportJobEvents.stored).toBe(to - from + 1);
        storedBy[name] += to - from + 1;
        return;
      }
      throw new Error('no instance answered');
    };

    await report(1, 50, 'a');
    let allowReconnect!: () => void;
    const reconnectAllowed = new Promise<void>((resolve) => (allowReconnect = resolve));
    const follower = followMetrics({
      urls: [a.url, b.url],
      token: user.token,
      runId,
      key: 'loss',
      retryWait: () => reconnectAllowed,
    });
    await follower.first; // the history (1..50), from A; live from here on
    for (let from = 51; from <= 200; from += 10) await report(from, from + 9, from % 20 === 11 ? 'b' : 'a');
    await expect.poll(() => follower.steps, { timeout: 20_000 }).toEqual(range(1, 200));
    expect(follower.connectedTo).toEqual([`${a.url.replace('http', 'ws')}/graphql`]);

    await processA.kill();
    await expect.poll(() => follower.closes(), { timeout: 20_000 }).toBe(1);
    // While the client is away, the worker goes on (its reports to A land on B).
    for (let from = 201; from <= 300; from += 10) await report(from, from + 9, 'a');
    allowReconnect();
    // And on while it reconnects and replays 201..300 from B's history.
    for (let from = 301; from <= 400; from += 10) await report(from, from + 9, 'b');
    await expect.poll(() => follower.steps.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(400);
    expect(follower.steps).toEqual(range(1, 400));
    expect(follower.connectedTo).toEqual([a.url, b.url].map((u) => `${u.replace('http', 'ws')}/graphql`));
    expect(follower.errors).toEqual([]);
    console.log(
      `[failover] ${follower.steps.length} steps received, ${new Set(follower.steps).size} distinct; ` +
        `connections: ${follower.connectedTo.length}; reported to A ${storedBy.a}, to B ${storedBy.b}`,
    );
    follower.stop();
  }, 120_000);
});
