// Live monitoring through a real graphql-ws client: metric and log delivery, late subscribers,
// re-authorisation, and ingest validation. A "worker" here is a plain GraphQL client with a worker
// token, so batches, duplicates and timing are under the test's control.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { sharedExecutionStats } from '../../src/graphql/shared-execution.js';
import { errorCode, startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, repoRoot, tinyRun, workerToken } from '../training.js';
import { CLAIM, COMPLETE, HEARTBEAT, REPORT, trainingJob } from '../worker-ops.js';

let app: TestApp;
let user: TestUser;
let admin: TestUser;
let version: string;
let worker: string;
let otherWorker: string;

beforeAll(async () => {
  app = await startTestApp({
    LIVE_AUTH_RECHECK_MS: '0',
    RUN_PROJECT_CONCURRENCY: '10',
    RUN_MAX_METRIC_POINTS: '2500',
    RUN_QUEUE_MONITOR_SECONDS: '1',
  });
  admin = await loginAdmin(app);
  user = await createUser(app, ['MEMBER'], 'watcher');
  const projectId = await createProject(app, user.token, 'Monitoring');
  version = await datasetVersion(app, user, projectId, 'rows', chatRows(4));
  worker = await workerToken(app, admin, 'manual-1');
  otherWorker = await workerToken(app, admin, 'manual-2');
  for (const token of [worker, otherWorker])
    await app.gql(
      `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
      { i: { hostname: 'test', gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'test' } },
      token,
    );
}, 120_000);
afterAll(() => app?.close());

/** Queues a run and claims it as `worker`; returns the held attempt. */
async function heldRun() {
  const created = await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token);
  const claim = await app.gql(CLAIM, {}, worker);
  expect(claim.data!.claimJob.runId).toBe(created.data!.createRun.id);
  return claim.data!.claimJob as { runId: string; attempt: number };
}

let seq = 0;
const metricEvents = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    seq: seq++,
    time: new Date().toISOString(),
    event: 'metric',
    data: { step: from + i, epoch: 0, values: { loss: 1 / (from + i), learning_rate: 0.001 } },
  }));

function ws(token: string): Client {
  return createClient({
    url: `${app.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
  });
}

/** Collects `runMetrics` batches until `until` holds for the steps received so far. */
function collect(token: string, variables: Record<string, unknown>, until: (steps: number[]) => boolean) {
  const client = ws(token);
  const steps: number[] = [];
  const done = new Promise<number[]>((resolve, reject) => {
    client.subscribe<{ runMetrics: { points: { key: string; step: number }[] } }>(
      {
        query: `subscription($runId: ID!, $keys: [String!], $afterStep: Int) {
          runMetrics(runId: $runId, keys: $keys, afterStep: $afterStep) { points { key step value } } }`,
        variables,
      },
      {
        next: (v) => {
          if (v.errors) return reject(Object.assign(new Error(v.errors[0].message), { errors: v.errors }));
          steps.push(...v.data!.runMetrics.points.map((p) => p.step));
          if (until(steps)) resolve(steps);
        },
        error: (e) => reject(Array.isArray(e) ? Object.assign(new Error(e[0].message), { errors: e }) : e),
        complete: () => resolve(steps),
      },
    );
  });
  return { done: done.finally(() => client.dispose()), steps };
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('runMetrics', () => {
  it('delivers every stored point in order, once; a late subscriber continues from history without a gap', async () => {
    const { runId, attempt } = await heldRun();
    seq = 0;
    const early = collect(user.token, { runId, keys: ['loss'] }, (s) => s.at(-1) === 1000);
    const sent: unknown[][] = [];
    for (let b = 0; b < 25; b++) {
      const events = metricEvents(b * 20 + 1, b * 20 + 20);
      sent.push(events);
      const r = await app.gql(REPORT, { i: { job: trainingJob(runId, attempt), events } }, worker);
      expect(r.data!.reportJobEvents.stored).toBe(20);
    }
    const history = await app.gql(
      `query($id: ID!) { run(id: $id) { metrics(keys: ["loss"], maxPoints: 10000) { bucketSteps lastStep points { step last } } } }`,
      { id: runId },
      user.token,
    );
    const [series] = history.data!.run.metrics;
    expect(series).toMatchObject({ bucketSteps: 1, lastStep: 500 });
    const late = collect(user.token, { runId, keys: ['loss'], afterStep: series.lastStep }, (s) => s.at(-1) === 1000);
    for (let b = 25; b < 50; b++) {
      const events = metricEvents(b * 20 + 1, b * 20 + 20);
      sent.push(events);
      await app.gql(REPORT, { i: { job: trainingJob(runId, attempt), events } }, worker);
      if (b === 30) {
        // A batch delivered twice (a retry after a lost answer) stores nothing and repeats nothing.
        const again = await app.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: sent[10] } }, worker);
        expect(again.data!.reportJobEvents.stored).toBe(0);
      }
    }
    expect(await early.done).toEqual(range(1, 1000));
    const lateSteps = await late.done;
    expect([...series.points.map((p: { step: number }) => p.step), ...lateSteps]).toEqual(range(1, 1000));
    const stored = await app.runtime.pool.query(`select count(*)::int as n from run_metrics where run_id = $1`, [
      runId,
    ]);
    expect(stored.rows[0].n).toBe(2000);
  }, 60_000);

  it('identical subscribers share one execution per batch; another selection gets its own', async () => {
    const { runId, attempt } = await heldRun();
    seq = 0;
    await app.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: metricEvents(1, 10) } }, worker);
    // 20 dashboards watching the loss, one watching the learning rate.
    const watchers = [...Array.from({ length: 20 }, () => ['loss']), ['learning_rate']].map((keys) => {
      let historyLoaded!: () => void;
      const history = new Promise<void>((resolve) => (historyLoaded = resolve));
      const { done } = collect(user.token, { runId, keys }, (steps) => {
        if (steps.includes(10)) historyLoaded(); // live from here on: listening starts before the history read
        return steps.at(-1) === 20;
      });
      return { history, done };
    });
    await Promise.all(watchers.map((w) => w.history));
    const before = sharedExecutionStats().executions;
    await app.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: metricEvents(11, 20) } }, worker);
    for (const steps of await Promise.all(watchers.map((w) => w.done))) expect(steps).toEqual(range(1, 20));
    expect(sharedExecutionStats().executions - before).toBe(2);
  });

  it('refuses a non-member, and ends the subscription when the token is revoked', async () => {
    const { runId, attempt } = await heldRun();
    const outsider = await createUser(app, ['MEMBER'], 'outsider');
    await expect(collect(outsider.token, { runId }, () => true).done).rejects.toMatchObject({
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })],
    });

    const created = await app.gql(
      `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } } }`,
      { i: { name: 'dashboard', scopes: ['run:read'] } },
      user.token,
    );
    const { token, apiToken } = created.data!.createApiToken;
    seq = 0;
    const watching = collect(token, { runId }, () => false);
    await app.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: metricEvents(1, 1) } }, worker);
    await expect.poll(() => watching.steps.length).toBeGreaterThan(0);
    await app.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: apiToken.id }, user.token);
    await app.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: metricEvents(2, 2) } }, worker);
    await expect(watching.done).rejects.toMatchObject({
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })],
    });
    expect(watching.steps).not.toContain(2);
  }, 60_000);
});

describe('system metrics', () => {
  it('heartbeat samples of the run in hand become per-GPU and machine series', async () => {
    const { runId, attempt } = await heldRun();
    const sample = (utilization: number) => ({
      cpuPercent: 50,
      memoryUsedMb: 1000,
      memoryTotalMb: 4000,
      diskUsedGb: 10,
      diskTotalGb: 100,
      gpus: [{ index: 0, utilization, memoryUsedMb: 100, memoryTotalMb: 1000, temperatureC: 60, powerW: null }],
    });
    const first = await app.gql(HEARTBEAT, { jobs: [trainingJob(runId, attempt)], system: sample(10) }, worker);
    expect(first.data!.workerHeartbeat.leases).toEqual([{ valid: true }]);
    const bad = await app.gql(HEARTBEAT, { jobs: [], system: { ...sample(10), cpuPercent: 'lots' } }, worker);
    expect(bad.errors![0].extensions!.fields[0].field).toBe('system.cpuPercent');
    const res = await app.gql(
      `query($id: ID!) { run(id: $id) { systemMetrics(keys: ["gpu0.utilization", "cpu.percent"]) { key lastStep steps lasts } } }`,
      { id: runId },
      user.token,
    );
    expect(res.errors).toBeUndefined();
    const [gpu, cpu] = res.data!.run.systemMetrics;
    expect(gpu).toMatchObject({ key: 'gpu0.utilization', lasts: [10] });
    expect(cpu.lasts).toEqual([50]);
    expect(Number.isInteger(gpu.lastStep)).toBe(true);
    expect(Math.abs(gpu.lastStep - Date.now() / 1000)).toBeLessThan(60);
  });
});

describe('the integrators’ example (docs/examples/watch-run.mjs)', () => {
  it('prints the history, then the live points, and exits when the run ends', async () => {
    const { runId, attempt } = await heldRun();
    seq = 0;
    await app.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: metricEvents(1, 5) } }, worker);
    const created = await app.gql(
      `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`,
      { i: { name: 'example', scopes: ['run:read'] } },
      user.token,
    );
    const example = spawn(process.execPath, [join(repoRoot, 'docs/examples/watch-run.mjs'), runId], {
      env: { ...process.env, LLMTRAINER_URL: app.url, LLMTRAINER_TOKEN: created.data!.createApiToken.token },
    });
    let out = '';
    const waiting: { text: string; resolve: () => void }[] = [];
    const check = () => waiting.filter((w) => out.includes(w.text)).forEach((w) => w.resolve());
    example.stdout.on('data', (d) => ((out += d), check()));
    example.stderr.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => example.once('exit', resolve));
    const seen = (text: string) =>
      Promise.race([
        new Promise<void>((resolve) => (waiting.push({ text, resolve }), check())),
        exited.then(() => {
          if (!out.includes(text)) throw new Error(`example exited without "${text}":\n${out}`);
        }),
      ]);
    await seen('history step 5 loss');
    await app.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: metricEvents(6, 10) } }, worker);
    await seen('live step 10 loss');
    await app.gql(
      `mutation($i: CompleteJobInput!) { completeJob(input: $i) { status } }`,
      { i: { job: trainingJob(runId, attempt), outcome: 'FAILED', reason: 'invalid_spec', message: 'test' } },
      worker,
    );
    await seen('run ended: FAILED');
    const steps = [...out.matchAll(/(history|live) step (\d+)/g)].map((m) => Number(m[2]));
    expect(steps).toEqual(range(1, 10));
  }, 60_000);
});

describe('bad ingest', () => {
  let runId: string;
  let attempt: number;
  const counts = async () =>
    (
      await app.runtime.pool.query(
        `select (select count(*) from run_events where run_id = $1)::int as events,
                (select count(*) from run_metrics where run_id = $1)::int as points`,
        [runId],
      )
    ).rows[0];

  beforeAll(async () => {
    ({ runId, attempt } = await heldRun());
  });

  it('non-finite values are refused by field, and nothing of the batch is written', async () => {
    const before = await counts();
    // JSON has no Infinity; 1e999 parses to it.
    const body = `{"query":${JSON.stringify(REPORT)},"variables":{"i":{"job":{"kind":"TRAINING","id":"${runId}","attempt":${attempt}},"events":[
      {"seq":0,"time":"2026-11-29T00:00:00.000Z","event":"metric","data":{"step":1,"values":{"loss":0.5}}},
      {"seq":1,"time":"2026-11-29T00:00:00.000Z","event":"metric","data":{"step":2,"values":{"loss":1e999}}}]}}}`;
    const res = (await (
      await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${worker}` },
        body,
      })
    ).json()) as { errors: { extensions: { code: string; fields: { field: string; message: string }[] } }[] };
    expect(res.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors[0].extensions.fields[0].field).toBe('input.events.1.data.values.loss');
    expect(await counts()).toEqual(before);

    const marker = await app.gql(
      REPORT,
      {
        i: {
          job: trainingJob(runId, attempt),
          events: [
            { seq: 0, time: new Date().toISOString(), event: 'metric', data: { step: 1, values: { loss: 'NaN' } } },
          ],
        },
      },
      worker,
    );
    expect(marker.data!.reportJobEvents.stored).toBe(1);
  });

  it('bad keys, oversize batches, unknown runs and a worker that does not hold the run are refused', async () => {
    const before = await counts();
    const event = (values: Record<string, unknown>) => ({
      seq: 100,
      time: new Date().toISOString(),
      event: 'metric',
      data: { step: 3, values },
    });
    const badKey = await app.gql(
      REPORT,
      { i: { job: trainingJob(runId, attempt), events: [event({ 'a b': 1 })] } },
      worker,
    );
    expect(badKey.errors![0].extensions!.fields[0].field).toBe('input.events.0.data.values.a b');
    const big = Array.from({ length: 1001 }, (_, i) => ({ ...event({ loss: 1 }), seq: 200 + i }));
    const oversize = await app.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: big } }, worker);
    expect(oversize.errors![0].message).toMatch(/input.events: at most 1000 events per batch/);
    const unknown = await app.gql(
      REPORT,
      { i: { job: trainingJob(randomUUID(), attempt), events: [event({ loss: 1 })] } },
      worker,
    );
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    const fenced = await app.gql(
      REPORT,
      { i: { job: trainingJob(runId, attempt), events: [event({ loss: 1 })] } },
      otherWorker,
    );
    expect(errorCode(fenced)).toBe('LEASE_LOST');
    const stale = await app.gql(
      REPORT,
      { i: { job: trainingJob(runId, attempt + 1), events: [event({ loss: 1 })] } },
      worker,
    );
    expect(errorCode(stale)).toBe('LEASE_LOST');
    expect(await counts()).toEqual(before);
  });

  it('a run past its metric quota is refused with the numbers, and the batch is not written', async () => {
    const quota = await heldRun();
    const held = trainingJob(quota.runId, quota.attempt);
    seq = 0;
    const first = await app.gql(REPORT, { i: { job: held, events: metricEvents(1, 1000) } }, worker);
    expect(first.data!.reportJobEvents.stored).toBe(1000);
    const over = await app.gql(REPORT, { i: { job: held, events: metricEvents(1001, 1300) } }, worker);
    expect(errorCode(over)).toBe('BAD_USER_INPUT');
    expect(over.errors![0].message).toMatch(/2000 metric points stored; 600 more would pass its quota of 2500/);
    const stored = await app.runtime.pool.query(`select count(*)::int as n from run_metrics where run_id = $1`, [
      quota.runId,
    ]);
    expect(stored.rows[0].n).toBe(2000);
  });
});

describe('a worker presumed dead', () => {
  it('gets LEASE_LOST for its events and its completion once its lease lapsed, and a heartbeat says so', async () => {
    const { runId, attempt } = await heldRun();
    const { pool } = app.runtime;
    // The worker goes quiet: its last lease renewal is now an hour old. pg-boss's own monitor takes the
    // job back and the reconciler moves the run on, as for a machine that died.
    await pool.query(
      `update pgboss.job set heartbeat_on = now() - interval '1 hour' where id = (select job_id from runs where id = $1)`,
      [runId],
    );
    await expect
      .poll(async () => (await pool.query(`select status from runs where id = $1`, [runId])).rows[0].status, {
        timeout: 30_000,
        interval: 200,
      })
      .toBe('QUEUED');
    const event = { seq: 0, time: new Date().toISOString(), event: 'log', data: { message: 'still here' } };
    const late = await app.gql(REPORT, { i: { job: trainingJob(runId, attempt), events: [event] } }, worker);
    expect(errorCode(late)).toBe('LEASE_LOST');
    const done = await app.gql(
      COMPLETE,
      { i: { job: trainingJob(runId, attempt), outcome: 'FAILED', reason: 'error', message: 'late' } },
      worker,
    );
    expect(errorCode(done)).toBe('LEASE_LOST');
    const beat = await app.gql(HEARTBEAT, { jobs: [trainingJob(runId, attempt)] }, worker);
    expect(beat.data!.workerHeartbeat.leases).toEqual([{ valid: false }]);
    const row = await pool.query(`select status, error from runs where id = $1`, [runId]);
    expect(row.rows[0]).toEqual({ status: 'QUEUED', error: null });
  }, 60_000);
});
