// What a user reads again after the fact: a finished run's logs (page reload, revisit), resuming the live
// log tail from a line, the dashboard's runs, metric keys, renaming a dataset, and the admins' live
// workers page. A "worker" is a plain GraphQL client with a worker token, so the log is the test's own.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { errorCode, startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from '../training.js';
import { CLAIM, trainingJob } from '../worker-ops.js';

let app: TestApp;
let user: TestUser;
let admin: TestUser;
let projectId: string;
let version: string;
let worker: string;

const REPORT = `mutation($i: ReportJobEventsInput!) { reportJobEvents(input: $i) { stored } }`;
const COMPLETE = `mutation($i: CompleteJobInput!) { completeJob(input: $i) { status attempt } }`;
const LOGS = `query($id: ID!, $first: Int, $after: String, $search: String) {
  run(id: $id) { logs(first: $first, after: $after, search: $search) {
    totalCount pageInfo { endCursor hasNextPage } nodes { id attempt level message } } } }`;

beforeAll(async () => {
  app = await startTestApp({ LIVE_AUTH_RECHECK_MS: '0', RUN_PROJECT_CONCURRENCY: '10' });
  admin = await loginAdmin(app);
  user = await createUser(app, ['MEMBER'], 'reader');
  projectId = await createProject(app, user.token, 'History');
  version = await datasetVersion(app, user, projectId, 'rows', chatRows(4));
  worker = await workerToken(app, admin, 'history-worker');
  await app.gql(
    `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
    { i: { hostname: 'test', gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'test' } },
    worker,
  );
}, 120_000);
afterAll(() => app?.close());

let seq = 0;
const lines = (messages: string[]) =>
  messages.map((message) => ({ seq: seq++, time: new Date().toISOString(), event: 'log', data: { message } }));

async function claim(runId: string) {
  const claimed = await app.gql(CLAIM, {}, worker);
  expect(claimed.data!.claimJob.runId).toBe(runId);
  return claimed.data!.claimJob.attempt as number;
}

type LogLine = { id: string; attempt: number; level: string; message: string };

type LogPage = { totalCount: number; pageInfo: { endCursor: string | null; hasNextPage: boolean }; nodes: LogLine[] };

/** Every page of `run.logs`, following `endCursor`. */
async function allLogs(runId: string, search?: string, first = 7) {
  const seen: LogLine[] = [];
  let after: string | null = null;
  for (;;) {
    const res = await app.gql<{ run: { logs: LogPage } }>(LOGS, { id: runId, first, after, search }, user.token);
    expect(res.errors).toBeUndefined();
    const page: LogPage = res.data!.run.logs;
    seen.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return { lines: seen, total: page.totalCount };
    after = page.pageInfo.endCursor;
  }
}

describe('a finished run’s logs, read again', () => {
  let runId: string;
  beforeAll(async () => {
    runId = (await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token)).data!.createRun.id;
    const first = await claim(runId);
    await app.gql(
      REPORT,
      { i: { job: trainingJob(runId, first), events: lines(['loading model', 'step 1']) } },
      worker,
    );
    // The machine goes away: the run is queued again and a second attempt writes on.
    const interrupted = await app.gql(
      COMPLETE,
      { i: { job: trainingJob(runId, first), outcome: 'INTERRUPTED', message: 'worker stopping' } },
      worker,
    );
    expect(interrupted.data!.completeJob.status).toBe('QUEUED');
    const second = await claim(runId);
    const messages = Array.from({ length: 15 }, (_, i) => `step ${i + 2}`);
    messages.push('100% of data read', '50 percent', 'used gpu_mem 3 GiB', 'used gpuXmem 4 GiB');
    await app.gql(REPORT, { i: { job: trainingJob(runId, second), events: lines(messages) } }, worker);
    await app.gql(
      REPORT,
      {
        i: {
          job: trainingJob(runId, second),
          events: [{ seq: seq++, time: new Date().toISOString(), event: 'failed', data: { message: 'CUDA OOM' } }],
        },
      },
      worker,
    );
    const failed = await app.gql(
      COMPLETE,
      { i: { job: trainingJob(runId, second), outcome: 'FAILED', reason: 'oom', message: 'CUDA OOM' } },
      worker,
    );
    expect(failed.data!.completeJob.status).toBe('FAILED');
  });

  it('pages newest first through every line once, with its attempt and the failure as an error line', async () => {
    const { lines: read, total } = await allLogs(runId);
    expect(total).toBe(22);
    expect(read).toHaveLength(22);
    expect(new Set(read.map((l) => l.id)).size).toBe(22);
    const ids = read.map((l) => BigInt(l.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(read[0]).toMatchObject({ attempt: 2, level: 'error', message: 'CUDA OOM' });
    expect(read.at(-1)).toMatchObject({ attempt: 1, level: 'info', message: 'loading model' });
    expect(read.filter((l) => l.attempt === 1).map((l) => l.message)).toEqual(['step 1', 'loading model']);
  });

  it('searches with % and _ taken literally', async () => {
    expect((await allLogs(runId, '%')).lines.map((l) => l.message)).toEqual(['100% of data read']);
    expect((await allLogs(runId, 'gpu_mem')).lines.map((l) => l.message)).toEqual(['used gpu_mem 3 GiB']);
    expect((await allLogs(runId, 'STEP 1')).total).toBe(8); // case-insensitive: step 1, 10..16
  });

  it('refuses a cursor it did not give out, naming the argument', async () => {
    const res = await app.gql(LOGS, { id: runId, after: 'not-a-cursor' }, user.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/after/);
  });

  it('resumes the live tail after a line it had, with no gap and no repeat', async () => {
    const { lines: read } = await allLogs(runId);
    const oldestFirst = [...read].reverse();
    const resumeAfter = oldestFirst[9];
    const client = createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${user.token}` },
    });
    const batch = await new Promise<LogLine[]>((resolve, reject) => {
      client.subscribe<{ runLogs: { lines: LogLine[] } }>(
        {
          query: `subscription($id: ID!, $after: ID) { runLogs(runId: $id, afterId: $after) { lines { id attempt level message } } }`,
          variables: { id: runId, after: resumeAfter.id },
        },
        {
          next: (v) => (v.errors ? reject(v.errors) : resolve(v.data!.runLogs.lines)),
          error: reject,
          complete: () => {},
        },
      );
    }).finally(() => client.dispose());
    expect(batch).toEqual(oldestFirst.slice(10));
  });
});

describe('runs and datasets a user comes back to', () => {
  it('myRuns lists the runs of one’s projects only, newest first, filtered by status', async () => {
    const other = await createUser(app, ['MEMBER'], 'stranger');
    const otherProject = await createProject(app, other.token, 'Elsewhere');
    const otherVersion = await datasetVersion(app, other, otherProject, 'rows', chatRows(4));
    const theirs = (await app.gql(CREATE_RUN, { i: tinyRun(otherVersion) }, other.token)).data!.createRun.id;
    const a = (await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token)).data!.createRun.id;
    const b = (await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token)).data!.createRun.id;
    await app.gql(`mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: a }, user.token);
    const MINE = `query($s: [RunStatus!]) { myRuns(first: 100, status: $s) { totalCount nodes { id status project { id } } } }`;
    const all = (await app.gql(MINE, {}, user.token)).data!.myRuns;
    expect(all.nodes.every((r: { project: { id: string } }) => r.project.id === projectId)).toBe(true);
    const ids = all.nodes.map((r: { id: string }) => r.id);
    expect(ids.indexOf(b)).toBeLessThan(ids.indexOf(a));
    const cancelled = (await app.gql(MINE, { s: ['CANCELLED'] }, user.token)).data!.myRuns;
    expect(cancelled.nodes.map((r: { id: string }) => r.id)).toEqual([a]);
    expect((await app.gql(MINE, {}, other.token)).data!.myRuns.totalCount).toBe(1);
    // Nothing of this test stays queued for the tests that claim runs.
    await app.gql(`mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: b }, user.token);
    await app.gql(`mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: theirs }, other.token);
  });

  it('metricKeys names every key the run reported, once', async () => {
    const runId = (await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token)).data!.createRun.id;
    const attempt = await claim(runId);
    const metric = (step: number, values: Record<string, number>) => ({
      seq: seq++,
      time: new Date().toISOString(),
      event: 'metric',
      data: { step, epoch: 0, values },
    });
    await app.gql(
      REPORT,
      {
        i: {
          job: trainingJob(runId, attempt),
          events: [metric(1, { loss: 2, learning_rate: 1e-4 }), metric(2, { loss: 1.5, 'eval/loss': 1.7 })],
        },
      },
      worker,
    );
    const res = await app.gql(`query($id: ID!) { run(id: $id) { metricKeys } }`, { id: runId }, user.token);
    expect([...res.data!.run.metricKeys].sort()).toEqual(['eval/loss', 'learning_rate', 'loss']);
    await app.gql(
      COMPLETE,
      { i: { job: trainingJob(runId, attempt), outcome: 'FAILED', reason: 'invalid_spec' } },
      worker,
    );
  });

  it('updateDataset renames and describes; a taken name and a viewer are refused, and nothing changes', async () => {
    const CREATE = `mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id name } }`;
    const UPDATE = `mutation($i: UpdateDatasetInput!) { updateDataset(input: $i) { id name description } }`;
    const first = (await app.gql(CREATE, { i: { projectId, name: 'chat-a' } }, user.token)).data!.createDataset;
    await app.gql(CREATE, { i: { projectId, name: 'chat-b' } }, user.token);
    const renamed = await app.gql(UPDATE, { i: { id: first.id, name: 'chat-c', description: '对话数据' } }, user.token);
    expect(renamed.data!.updateDataset).toEqual({ id: first.id, name: 'chat-c', description: '对话数据' });
    const clash = await app.gql(UPDATE, { i: { id: first.id, name: 'chat-b' } }, user.token);
    expect(errorCode(clash)).toBe('CONFLICT');
    expect(clash.errors![0].message).toMatch(/chat-b/);
    const viewer = await createUser(app, ['VIEWER'], 'viewer');
    await app.gql(
      `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role } }`,
      { i: { projectId, email: viewer.email, role: 'VIEWER' } },
      user.token,
    );
    const refused = await app.gql(UPDATE, { i: { id: first.id, name: 'viewer-was-here' } }, viewer.token);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const now = await app.gql(
      `query($id: ID!) { dataset(id: $id) { name description } }`,
      { id: first.id },
      user.token,
    );
    expect(now.data!.dataset).toEqual({ name: 'chat-c', description: '对话数据' });
  });
});

describe('workerUpdated', () => {
  it('sends the workers, then each change live; ends when the watching session is revoked', async () => {
    const watcher = await loginAdmin(app);
    const client = createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${watcher.token}` },
    });
    const batches: { name: string; online: boolean }[][] = [];
    const ended = new Promise<unknown>((resolve) => {
      client.subscribe<{ workerUpdated: { name: string; online: boolean }[] }>(
        { query: `subscription { workerUpdated { name online } }` },
        {
          next: (v) => (v.errors ? resolve(v.errors) : batches.push(v.data!.workerUpdated)),
          error: resolve,
          complete: () => resolve('completed'),
        },
      );
    });
    await expect.poll(() => batches.length).toBe(1);
    expect(batches[0].map((w) => w.name)).toContain('history-worker');
    // A new machine shows up as soon as it registers, before its first heartbeat.
    const fresh = await workerToken(app, admin, 'live-worker');
    await app.gql(
      `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
      { i: { hostname: 'live', gpus: [], cpuCount: 1, memoryMb: 512, agentVersion: 'test' } },
      fresh,
    );
    await expect.poll(() => batches.flat().some((w) => w.name === 'live-worker' && w.online)).toBe(true);
    await app.gql(`mutation { logout }`, {}, watcher.token);
    await app.gql(`mutation { workerHeartbeat { leases { valid } } }`, {}, fresh);
    const errors = (await ended) as { extensions?: { code?: string } }[];
    client.dispose();
    expect(errors[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('over WebSocket, a bad subscription', () => {
  it('answers a validation error that names the field, not an internal error', async () => {
    const client = createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${admin.token}` },
    });
    const errors = await new Promise<{ message: string; extensions?: { code?: string } }[]>((resolve) => {
      client.subscribe(
        { query: `subscription { workerUpdated { status } }` },
        {
          next: () => {},
          error: (e) => resolve(e as never),
          complete: () => resolve([]),
        },
      );
    }).finally(() => client.dispose());
    expect(errors[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(errors[0].message).toMatch(/"status" on type "Worker"/);
  });
});
