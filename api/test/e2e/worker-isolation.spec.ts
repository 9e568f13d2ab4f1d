// What one run's worker, or the code it trains, can reach: not the worker token (the trainer's
// environment), and not another run's or another attempt's uploaded artifacts (completeJob).
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../../workers/agent/src/agent.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { errorCode, startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, waitForRun, workerToken } from '../training.js';
import { CLAIM, trainingJob } from '../worker-ops.js';

let app: TestApp;
let user: TestUser;
let admin: TestUser;
let version: string;

beforeAll(async () => {
  app = await startTestApp({ RUN_PROJECT_CONCURRENCY: '10', RUN_RETRY_DELAY_SECONDS: '0' });
  admin = await loginAdmin(app);
  user = await createUser(app, ['MEMBER'], 'isolation');
  const projectId = await createProject(app, user.token, 'Isolation');
  version = await datasetVersion(app, user, projectId, 'rows', chatRows(4));
}, 120_000);
afterAll(() => app?.close());

describe('the trainer process', () => {
  it('does not inherit the worker token the agent was started with', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmt-fake-python-'));
    // Stands in for the trainer's python: records each job process's environment, then fails the run
    // with a reason that is not retried.
    const fake = join(dir, 'python');
    writeFileSync(
      fake,
      `#!/bin/sh
env > "${dir}/env-$2-$$"
[ "$2" = llmtrainer.tiny_models ] && exit 0
echo '{"seq":0,"time":"2026-01-01T00:00:00Z","event":"failed","reason":"invalid_spec","message":"fake trainer"}'
`,
    );
    chmodSync(fake, 0o755);
    const token = await workerToken(app, admin, 'env-check');
    // As `npm run worker` and `npm start` start it: the token is in the agent's own environment.
    const saved = process.env.LLMTRAINER_WORKER_TOKEN;
    process.env.LLMTRAINER_WORKER_TOKEN = token;
    const agent = new Agent({
      apiUrl: app.url,
      token,
      workDir: join(dir, 'work'),
      python: fake,
      pollSeconds: 0.1,
      cancelGraceSeconds: 5,
      trainerMode: 'train',
      relayMemoryEvents: 100,
      trainerEnv: {},
      hostname: 'env-check',
    });
    try {
      await agent.start();
      const created = await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token);
      const run = await waitForRun(app, user.token, created.data!.createRun.id, (r) => r.status === 'FAILED');
      expect(run.error?.message).toBe('fake trainer');
    } finally {
      await agent.stop();
      if (saved === undefined) delete process.env.LLMTRAINER_WORKER_TOKEN;
      else process.env.LLMTRAINER_WORKER_TOKEN = saved;
    }
    const dumps = readdirSync(dir).filter((f) => f.startsWith('env-'));
    expect(dumps.some((f) => f.startsWith('env-llmtrainer.train-'))).toBe(true);
    for (const f of dumps) {
      const env = readFileSync(join(dir, f), 'utf8');
      expect(env).toContain('PYTHONPATH=');
      expect(env, f).not.toContain(token);
      expect(env, f).not.toMatch(/^LLMTRAINER_WORKER_TOKEN=/m);
    }
  }, 60_000);
});

describe('completeJob artifacts', () => {
  let worker: string;
  beforeAll(async () => {
    worker = await workerToken(app, admin, 'artifacts');
    await app.gql(
      `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
      { i: { hostname: 'test', gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'test' } },
      worker,
    );
  });

  const claimNew = async () => {
    const created = await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token);
    const claim = await app.gql(CLAIM, {}, worker);
    expect(claim.data!.claimJob.runId).toBe(created.data!.createRun.id);
    return claim.data!.claimJob as { runId: string; attempt: number };
  };
  const uploadModel = async (runId: string, attempt: number, body: string) => {
    const res = await fetch(`${app.url}/worker/runs/${runId}/model`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${worker}`, 'x-run-attempt': String(attempt) },
      body,
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { artifact: string }).artifact;
  };
  const complete = (runId: string, attempt: number, input: Record<string, unknown>) =>
    app.gql(
      `mutation($i: CompleteJobInput!) { completeJob(input: $i) { status } }`,
      { i: { job: trainingJob(runId, attempt), ...input } },
      worker,
    );
  const succeed = (runId: string, attempt: number, artifact: string) =>
    complete(runId, attempt, {
      outcome: 'SUCCEEDED',
      training: { model: { artifact, kind: 'lora_adapter', files: [] } },
    });

  it('refuses a model uploaded for another run', async () => {
    const a = await claimNew();
    const b = await claimNew();
    const ofA = await uploadModel(a.runId, a.attempt, 'model of run A');
    const res = await succeed(b.runId, b.attempt, ofA);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toBe(
      `input.training.model.artifact: not uploaded for this run and attempt; PUT /worker/runs/:id/model first`,
    );
    expect((await succeed(a.runId, a.attempt, ofA)).data?.completeJob.status).toBe('SUCCEEDED');
  });

  it('refuses a model uploaded by an earlier attempt of the same run', async () => {
    const first = await claimNew();
    const early = await uploadModel(first.runId, first.attempt, 'model of attempt 1');
    const failed = await complete(first.runId, first.attempt, { outcome: 'FAILED', reason: 'crashed' });
    expect(failed.data?.completeJob.status).toBe('QUEUED');
    await expect
      .poll(async () => (await app.gql(CLAIM, {}, worker)).data?.claimJob)
      .toEqual({ runId: first.runId, attempt: first.attempt + 1 });
    const second = { runId: first.runId, attempt: first.attempt + 1 };
    const res = await succeed(second.runId, second.attempt, early);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    // The same bytes uploaded again in this attempt are this attempt's.
    expect(await uploadModel(second.runId, second.attempt, 'model of attempt 1')).toBe(early);
    expect((await succeed(second.runId, second.attempt, early)).data?.completeJob.status).toBe('SUCCEEDED');
  });
});
