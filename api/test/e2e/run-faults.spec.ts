// Cancel, crash and retry, and a worker killed mid-run: what users see, through the real stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../workers/agent/src/agent.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { errorCode, startTestApp, type TestApp } from '../test-app.js';
import {
  CREATE_RUN,
  FINISHED,
  agentConfig,
  agentProcess as slowAgent,
  chatRows,
  datasetVersion,
  running,
  startAgent,
  tinyRun,
  waitForRun,
  waitForRunOrExplain,
} from '../training.js';

let app: TestApp;
let user: TestUser;
let admin: TestUser;
let chatVersion: string;
let agent: Agent | null = null;

beforeAll(async () => {
  app = await startTestApp({
    // Short enough to wait for a lapse, long enough that a heartbeat is not missed on a loaded machine.
    RUN_LEASE_SECONDS: '20',
    RUN_QUEUE_MONITOR_SECONDS: '1',
    RUN_RETRY_DELAY_SECONDS: '0',
    RUN_MAX_ATTEMPTS: '2',
  });
  admin = await loginAdmin(app);
  user = await createUser(app, ['MEMBER'], 'faults');
  const projectId = await createProject(app, user.token, 'Faults');
  chatVersion = await datasetVersion(app, user, projectId, 'chat', chatRows(24));
}, 120_000);
afterEach(async () => {
  await agent?.stop({ abandon: true });
  agent = null;
});
afterAll(() => app?.close());

const hooks = (h: Record<string, unknown>) => ({ trainerEnv: { LLMTRAINER_TEST_HOOKS: JSON.stringify(h) } });
const CANCEL = `mutation($id: ID!) { cancelRun(id: $id) { status cancelRequested } }`;
const RETRY = `mutation($id: ID!) { retryRun(id: $id) { status } }`;
const DETAIL = `query($id: ID!) { run(id: $id) {
  attempts { nodes { number workerName outcome resumedFromStep reason } }
  checkpoints { nodes { step attempt } }
} }`;

async function launch(hyper: Record<string, unknown>) {
  const res = await app.gql(CREATE_RUN, { i: tinyRun(chatVersion, hyper) }, user.token);
  expect(res.errors).toBeUndefined();
  return res.data!.createRun.id as string;
}

async function lossesByStep(runId: string): Promise<Map<number, number>> {
  const { rows } = await app.runtime.pool.query(
    `select step, value from run_metrics where run_id = $1 and key = 'loss' order by step`,
    [runId],
  );
  return new Map(rows.map((r) => [r.step as number, r.value as number]));
}

describe('cancel', () => {
  it('a queued run ends CANCELLED at once; an ended run cannot be cancelled again', async () => {
    const id = await launch({});
    const res = await app.gql(CANCEL, { id }, user.token);
    expect(res.data!.cancelRun).toEqual({ status: 'CANCELLED', cancelRequested: false });
    const again = await app.gql(CANCEL, { id }, user.token);
    expect(errorCode(again)).toBe('CONFLICT');
  });

  it('a training run checkpoints where it stopped and ends CANCELLED', async () => {
    agent = await startAgent(app, admin, 'cancel-worker', hooks({ step_delay_s: 0.5 }));
    const id = await launch({ maxSteps: 200, saveSteps: 100 });
    await waitForRun(app, user.token, id, (r) => (r.progress?.step ?? 0) >= 2);
    const res = await app.gql(CANCEL, { id }, user.token);
    expect(res.data!.cancelRun).toEqual({ status: 'RUNNING', cancelRequested: true });
    const run = await waitForRun(app, user.token, id, (r) => FINISHED.includes(r.status));
    expect(run.status).toBe('CANCELLED');
    const detail = (await app.gql(DETAIL, { id }, user.token)).data!.run;
    // save_steps is 100: the only checkpoint is the one the SIGTERM wrote.
    expect(detail.checkpoints.nodes).toHaveLength(1);
    expect(detail.checkpoints.nodes[0].step).toBeGreaterThanOrEqual(2);
    expect(detail.attempts.nodes[0].outcome).toBe('CANCELLED');
  }, 180_000);
});

describe('a trainer that crashes', () => {
  it('is retried, then FAILED with the reason and the log tail; retryRun resumes it from its checkpoint', async () => {
    agent = await startAgent(app, admin, 'crash-worker', hooks({ exit_at_step: 2 }));
    const id = await launch({ maxSteps: 4, saveSteps: 1 });
    const run = await waitForRunOrExplain(app, user.token, id, (r) => FINISHED.includes(r.status), 150_000);
    expect(run.status).toBe('FAILED');
    expect(run.error!.reason).toBe('crashed');
    expect(run.error!.message).toMatch(/exit code 70/);
    expect(run.error!.logTail.length).toBeGreaterThan(0);
    const detail = (await app.gql(DETAIL, { id }, user.token)).data!.run;
    expect(detail.attempts.nodes.map((a: { number: number; outcome: string }) => [a.number, a.outcome])).toEqual([
      [2, 'FAILED'],
      [1, 'FAILED'],
    ]);
    expect(detail.attempts.nodes[0].resumedFromStep).toBe(1);

    await agent.stop({ abandon: true });
    agent = await startAgent(app, admin, 'healthy-worker');
    expect((await app.gql(RETRY, { id }, user.token)).data!.retryRun.status).toBe('QUEUED');
    const retried = await waitForRunOrExplain(app, user.token, id, (r) => FINISHED.includes(r.status), 80_000);
    expect(retried.status).toBe('SUCCEEDED');
    expect(retried.attempt).toBe(3);
    const after = (await app.gql(DETAIL, { id }, user.token)).data!.run;
    expect(after.attempts.nodes[0]).toMatchObject({ number: 3, outcome: 'SUCCEEDED', workerName: 'healthy-worker' });
    expect(after.attempts.nodes[0].resumedFromStep).toBeGreaterThanOrEqual(1);
  }, 240_000);

  it('a run that cannot succeed (invalid for the trainer) is not retried', async () => {
    agent = await startAgent(app, admin, 'nan-worker', hooks({ nan_at_step: 2 }));
    const id = await launch({ maxSteps: 4 });
    const run = await waitForRun(app, user.token, id, (r) => FINISHED.includes(r.status));
    expect(run.status).toBe('FAILED');
    expect(run.error!.reason).toBe('nan_loss');
    expect(run.attempt).toBe(1);
  }, 180_000);
});

/** A worker agent in its own process, training slowly (0.5 s a step) so that a test can stop it mid-run. */
const agentProcess = (name: string) => slowAgent(app, admin, name, { step_delay_s: 0.5 });

describe('an agent starting on a work dir with a job process left running', () => {
  it('stops that process before it claims anything', async () => {
    const cfg = agentConfig(app, '', 'leftover');
    const dir = join(cfg.workDir, 'runs', 'old', 'attempt-1');
    mkdirSync(dir, { recursive: true });
    const stray = spawn(cfg.python!, ['-c', 'import time; time.sleep(600)'], {
      cwd: dir,
      detached: true,
      stdio: 'ignore',
    });
    const gone = new Promise<NodeJS.Signals | null>((resolve) =>
      stray.once('exit', (_code, signal) => resolve(signal)),
    );
    writeFileSync(join(cfg.workDir, 'job.pid'), `${stray.pid}\n`);
    agent = await startAgent(app, admin, 'leftover');
    expect(await gone).toBe('SIGKILL');
    expect(existsSync(join(cfg.workDir, 'job.pid'))).toBe(false);
  });
});

describe('a worker killed with SIGKILL mid-run', () => {
  let doomed: ChildProcess | null = null;
  afterAll(() => doomed?.kill('SIGKILL'));

  it('loses its lease; a second worker resumes from the last checkpoint; losses equal an uninterrupted run', async () => {
    const { child, workDir } = await agentProcess('doomed');
    doomed = child;
    const hyper = { maxSteps: 8, saveSteps: 2 };
    const id = await launch(hyper);
    await waitForRun(app, user.token, id, (r) => (r.progress?.step ?? 0) >= 3);
    const trainerPid = Number(readFileSync(join(workDir, 'job.pid'), 'utf8'));
    expect(running(trainerPid)).toBe(true);
    doomed.kill('SIGKILL');
    // Its trainer dies with it (nobody would read it, and it would hold the machine's GPUs).
    await expect.poll(() => running(trainerPid), { timeout: 5000, interval: 100 }).toBe(false);

    await waitForRun(app, user.token, id, (r) => r.status === 'QUEUED');
    agent = await startAgent(app, admin, 'rescuer');
    const run = await waitForRun(app, user.token, id, (r) => FINISHED.includes(r.status));
    expect(run.status).toBe('SUCCEEDED');
    const detail = (await app.gql(DETAIL, { id }, user.token)).data!.run;
    const [second, first] = detail.attempts.nodes;
    expect(first).toMatchObject({ number: 1, workerName: 'doomed', outcome: 'LEASE_EXPIRED' });
    expect(second).toMatchObject({ number: 2, workerName: 'rescuer', outcome: 'SUCCEEDED' });
    expect(second.resumedFromStep).toBeGreaterThanOrEqual(2);

    const reference = await launch(hyper);
    expect((await waitForRun(app, user.token, reference, (r) => FINISHED.includes(r.status))).status).toBe('SUCCEEDED');
    const resumed = await lossesByStep(id);
    const straight = await lossesByStep(reference);
    expect([...resumed.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const [step, loss] of straight) expect(Math.abs(resumed.get(step)! - loss)).toBeLessThanOrEqual(1e-5);
  }, 300_000);
});

describe('a worker stopped gracefully mid-run (SIGTERM, as `npm start` passes on at Ctrl-C)', () => {
  let stopping: ChildProcess | null = null;
  afterAll(() => stopping?.kill('SIGKILL'));

  it('checkpoints, hands the run back as INTERRUPTED, exits; another worker resumes from that checkpoint', async () => {
    stopping = (await agentProcess('stopping')).child;
    const exited = new Promise<number | null>((resolve) => stopping!.once('exit', (code) => resolve(code)));
    // save_steps beyond max_steps: the only checkpoint can be the one the stop writes.
    const id = await launch({ maxSteps: 8, saveSteps: 100 });
    await waitForRun(app, user.token, id, (r) => (r.progress?.step ?? 0) >= 3);
    stopping.kill('SIGTERM');

    const queued = await waitForRun(app, user.token, id, (r) => r.status === 'QUEUED');
    expect(queued.error?.reason).toBe('worker_stopped');
    expect(await exited).toBe(0);
    const handedBack = (await app.gql(DETAIL, { id }, user.token)).data!.run;
    expect(handedBack.attempts.nodes[0]).toMatchObject({ number: 1, workerName: 'stopping', outcome: 'INTERRUPTED' });
    expect(handedBack.checkpoints.nodes).toHaveLength(1);
    const saved = handedBack.checkpoints.nodes[0];
    expect(saved).toMatchObject({ attempt: 1 });
    expect(saved.step).toBeGreaterThanOrEqual(3);

    agent = await startAgent(app, admin, 'successor');
    const run = await waitForRun(app, user.token, id, (r) => FINISHED.includes(r.status));
    expect(run.status).toBe('SUCCEEDED');
    const detail = (await app.gql(DETAIL, { id }, user.token)).data!.run;
    expect(detail.attempts.nodes[0]).toMatchObject({ number: 2, workerName: 'successor', outcome: 'SUCCEEDED' });
    expect(detail.attempts.nodes[0].resumedFromStep).toBe(saved.step);
    expect([...(await lossesByStep(id)).keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  }, 240_000);
});
