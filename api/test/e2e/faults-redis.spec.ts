// Redis (the wake-up between API instances) killed and restarted under a live view: two instances on
// a Redis of this test's own, runMetrics (one key, every key) and runLogs subscribers on B while a worker reports to A. What was
// published while Redis was away never arrives through it; the live view still gets every point,
// once, from the database, as soon as Redis is back, even if no new point follows.
import { randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { RedisServer } from '../fault-servers.js';
import { followMetrics, range } from '../metric-follower.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from '../training.js';
import { CLAIM, REPORT, trainingJob } from '../worker-ops.js';

let redis: RedisServer;
let a: TestApp;
let b: TestApp;
let user: TestUser;
let worker: string;
let version: string;

beforeAll(async () => {
  redis = await RedisServer.start();
  const shared = {
    REDIS_URL: redis.url,
    JWT_SECRET: randomBytes(32).toString('hex'),
    // The worker here is a test playing one by hand: it sends no heartbeats, so its lease must not lapse.
    RUN_LEASE_SECONDS: '600',
  };
  a = await startTestApp(shared);
  b = await startTestApp({ ...shared, DATABASE_URL: a.databaseUrl, DATA_DIR: a.config.dataDir });
  const admin = await loginAdmin(a);
  user = await createUser(a, ['MEMBER'], 'redis');
  const projectId = await createProject(a, user.token, 'Redis restart');
  version = await datasetVersion(a, user, projectId, 'rows', chatRows(4));
  worker = await workerToken(a, admin, 'manual-redis');
  await a.gql(
    `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
    { i: { hostname: 'test', gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'test' } },
    worker,
  );
}, 120_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.kill();
});

let seq = 0;
/**
 * Steps from..to, each a metric event and a log line. eval_loss comes at steps 125 and 175 only: a key
 * a subscriber has never seen, first stored while Redis is down.
 */
const stepEvents = (from: number, to: number) =>
  range(from, to).flatMap((step) => [
    {
      seq: seq++,
      time: new Date().toISOString(),
      event: 'metric',
      data: {
        step,
        epoch: 0,
        values: { loss: 1 / step, ...(step % 50 === 25 && step > 100 ? { eval_loss: 2 / step } : {}) },
      },
    },
    { seq: seq++, time: new Date().toISOString(), event: 'log', data: { level: 'info', message: `step ${step}` } },
  ]);

/** A subscriber on `app` keeping what `pick` takes from each message, in order. */
function follow<T>(app: TestApp, query: string, runId: string, pick: (data: T) => string[]) {
  const client = createClient({
    url: `${app.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${user.token}` },
  });
  const seen: string[] = [];
  const errors: unknown[] = [];
  client.subscribe<T>(
    { query, variables: { id: runId } },
    {
      next: (v) => (v.errors ? errors.push(v.errors) : seen.push(...pick(v.data as T))),
      error: (e) => errors.push(e),
      complete: () => {},
    },
  );
  return { seen, errors, stop: () => client.dispose() };
}
const followLogs = (app: TestApp, runId: string) =>
  follow<{ runLogs: { lines: { message: string }[] } }>(
    app,
    `subscription($id: ID!) { runLogs(runId: $id) { lines { message } } }`,
    runId,
    (d) => d.runLogs.lines.map((l) => l.message),
  );
/** Every key's points (`key@step`). */
const followAllMetrics = (app: TestApp, runId: string) =>
  follow<{ runMetrics: { points: { key: string; step: number }[] } }>(
    app,
    `subscription($id: ID!) { runMetrics(runId: $id) { points { key step } } }`,
    runId,
    (d) => d.runMetrics.points.map((p) => `${p.key}@${p.step}`),
  );
/** What an all-keys subscriber has after steps 1..to (sorted: within a step the order of keys may vary). */
const allPoints = (to: number) =>
  range(1, to)
    .flatMap((s) => [`loss@${s}`, ...(s % 50 === 25 && s > 100 ? [`eval_loss@${s}`] : [])])
    .sort();
const logged = (from: number, to: number) => range(from, to).map((step) => `step ${step}`);

/** Whether the instance's pub/sub gets an answer from Redis now. */
const redisUp = (app: TestApp) =>
  app.runtime.pubsub.ping(1000).then(
    () => true,
    () => false,
  );

describe('Redis restarted under a live runMetrics subscriber', () => {
  it('subscribers on B get every point and log line reported to A, once, in order: what Redis missed comes from the database', async () => {
    const runId = (await a.gql(CREATE_RUN, { i: tinyRun(version) }, user.token)).data!.createRun.id as string;
    const claim = await a.gql(CLAIM, {}, worker);
    expect(claim.data!.claimJob.runId).toBe(runId);
    const job = trainingJob(runId, claim.data!.claimJob.attempt);
    const report = async (from: number, to: number) => {
      const res = await a.gql(REPORT, { i: { job, events: stepEvents(from, to) } }, worker);
      expect(res.errors).toBeUndefined();
      expect(res.data!.reportJobEvents.stored).toBe(2 * (to - from + 1));
    };

    await report(1, 50);
    const follower = followMetrics({ urls: [b.url], token: user.token, runId, key: 'loss' });
    const logs = followLogs(b, runId);
    const all = followAllMetrics(b, runId);
    await follower.first;
    await expect.poll(() => logs.seen, { timeout: 20_000 }).toEqual(logged(1, 50));
    for (let from = 51; from <= 100; from += 10) await report(from, from + 9);
    await expect.poll(() => follower.steps, { timeout: 20_000 }).toEqual(range(1, 100));
    await expect.poll(() => logs.seen, { timeout: 20_000 }).toEqual(logged(1, 100));

    await redis.kill();
    await expect.poll(() => redisUp(a), { timeout: 20_000 }).toBe(false);
    // Stored (the database is there), announced into the void.
    for (let from = 101; from <= 150; from += 10) await report(from, from + 9);
    // A's client gives up on what it queued for Redis: those announcements, then this PING.
    await expect(a.runtime.pubsub.ping(60_000)).rejects.toThrow(/max retries per request/);
    await redis.start();
    await expect.poll(async () => (await redisUp(a)) && (await redisUp(b)), { timeout: 30_000 }).toBe(true);
    // Nothing new is reported: only the instances noticing that Redis is back can bring 101..150.
    await expect.poll(() => follower.steps.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(150);
    expect(follower.steps).toEqual(range(1, 150));
    await expect.poll(() => logs.seen.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(150);
    expect(logs.seen).toEqual(logged(1, 150));
    await expect.poll(() => all.seen.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(151);
    expect([...all.seen].sort()).toEqual(allPoints(150));

    for (let from = 151; from <= 200; from += 10) await report(from, from + 9);
    await expect.poll(() => follower.steps.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(200);
    expect(follower.steps).toEqual(range(1, 200));
    await expect.poll(() => logs.seen.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(200);
    expect(logs.seen).toEqual(logged(1, 200));
    await expect.poll(() => all.seen.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(202);
    expect([...all.seen].sort()).toEqual(allPoints(200));
    expect(all.errors).toEqual([]);
    expect(follower.errors).toEqual([]);
    expect(logs.errors).toEqual([]);
    expect(follower.closes()).toBe(0); // the client's socket to B stayed open throughout
    console.log(
      `[redis restart] received ${follower.steps.length} loss steps, ${all.seen.length} points of every key, ` +
        `${logs.seen.length} log lines (${new Set(follower.steps).size}, ${new Set(all.seen).size} and ` +
        `${new Set(logs.seen).size} distinct); steps 101-150 were stored while Redis was down`,
    );
    follower.stop();
    logs.stop();
    all.stop();
  }, 120_000);
});
