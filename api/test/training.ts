import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from '../../workers/agent/src/agent.js';
import type { AgentConfig } from '../../workers/agent/src/config.js';
import type { TestUser } from './factories.js';
import type { TestApp } from './test-app.js';
import { tusUpload, waitForEvent } from './uploads.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Uploads JSONL rows as a new dataset and waits until its first version is processed. */
export async function datasetVersion(
  app: TestApp,
  user: TestUser,
  projectId: string,
  name: string,
  lines: unknown[],
): Promise<string> {
  const datasetId = (
    await app.gql(
      `mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }`,
      { i: { projectId, name } },
      user.token,
    )
  ).data!.createDataset.id;
  const data = Buffer.from(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
  const uploadId = await tusUpload(app, user.token, projectId, `${name}.jsonl`, data);
  const id = (
    await app.gql(
      `mutation($i: CreateDatasetVersionInput!) { createDatasetVersion(input: $i) { id } }`,
      { i: { datasetId, uploadId } },
      user.token,
    )
  ).data!.createDatasetVersion.id;
  await waitForEvent<{ datasetVersionProgress: { status: string } }>(
    app,
    user.token,
    `subscription($id: ID!) { datasetVersionProgress(versionId: $id) { status } }`,
    { id },
    (e) => e.datasetVersionProgress.status !== 'PROCESSING',
  );
  return id;
}

/** The trainer's virtualenv python (built once per requirements; cached). */
export function trainerPython(): string {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'python-env.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error('trainer virtualenv unavailable');
  return r.stdout.trim();
}

/** A worker token from the admin (the worker's service account is created with it). */
export async function workerToken(app: TestApp, admin: TestUser, name: string): Promise<string> {
  const res = await app.gql(
    `mutation($n: String!) { createWorkerToken(name: $n) { token } }`,
    { n: name },
    admin.token,
  );
  return res.data!.createWorkerToken.token;
}

/** Shared across a file so tiny models are built once. */
export const agentWorkRoot = mkdtempSync(join(tmpdir(), 'llmt-agents-'));

export function agentConfig(app: TestApp, token: string, name: string, extra: Partial<AgentConfig> = {}): AgentConfig {
  return {
    apiUrl: app.url,
    token,
    workDir: join(agentWorkRoot, name),
    python: trainerPython(),
    pollSeconds: 0.2,
    cancelGraceSeconds: 60,
    trainerMode: 'train',
    relayMemoryEvents: 5000,
    trainerEnv: {},
    hostname: `test-${name}`,
    ...extra,
  };
}

/** A worker agent in this process, registered and polling. */
export async function startAgent(app: TestApp, admin: TestUser, name: string, extra: Partial<AgentConfig> = {}) {
  const agent = new Agent(agentConfig(app, await workerToken(app, admin, name), name, extra));
  await agent.start();
  return agent;
}

/**
 * A worker agent in its own process (for a test that kills it), with `hooks` as LLMTRAINER_TEST_HOOKS
 * for its job processes. `node --import tsx` (not the tsx CLI, which runs the program in a child): a
 * signal hits the agent.
 */
export async function agentProcess(
  app: TestApp,
  admin: TestUser,
  name: string,
  hooks: Record<string, unknown>,
  extra: Partial<AgentConfig> = {},
) {
  const token = await workerToken(app, admin, name);
  const cfg = agentConfig(app, token, name, extra);
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'workers/agent/src/main.ts')], {
    env: {
      ...process.env,
      LLMTRAINER_API_URL: app.url,
      LLMTRAINER_WORKER_TOKEN: token,
      LLMTRAINER_WORK_DIR: cfg.workDir,
      LLMTRAINER_PYTHON: cfg.python!,
      LLMTRAINER_POLL_SECONDS: '0.2',
      LLMTRAINER_TEST_HOOKS: JSON.stringify(hooks),
    },
    stdio: 'ignore',
  });
  return { child, workDir: cfg.workDir };
}

/** Whether `pid` is a live process (a zombie waiting for its reaper is not). */
export function running(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export const RUN_FIELDS = `id status attempt phase progress { step totalSteps } error { reason message logTail }
  finalMetrics chatTemplate`;

export interface RunState {
  id: string;
  status: string;
  attempt: number;
  phase: string | null;
  progress: { step: number; totalSteps: number } | null;
  error: { reason: string; message: string; logTail: string[] } | null;
  finalMetrics: Record<string, number> | null;
  chatTemplate: string | null;
}

/** Follows `runUpdated` over graphql-ws until `done` accepts the run. */
export function waitForRun(app: TestApp, token: string, runId: string, done: (run: RunState) => boolean) {
  return waitForEvent<{ runUpdated: RunState }>(
    app,
    token,
    `subscription($id: ID!) { runUpdated(id: $id) { ${RUN_FIELDS} } }`,
    { id: runId },
    (e) => done(e.runUpdated),
  ).then((e) => e.runUpdated);
}

export const FINISHED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export const CREATE_RUN = `mutation($i: CreateRunInput!) { createRun(input: $i) { id status number } }`;

/** A CPU LoRA run of the tiny Qwen3 (fp32; checkpoints every `saveSteps`). */
export function tinyRun(datasetVersionId: string, hyper: Record<string, unknown> = {}, extra = {}) {
  return {
    datasetVersionId,
    baseModelId: 'llm-trainer/tiny-qwen3',
    method: 'LORA',
    objective: 'SFT',
    resources: { gpusPerNode: 0, nodes: 1 },
    hyperparameters: {
      precision: 'FP32',
      maxSteps: 6,
      maxSeqLength: 128,
      perDeviceTrainBatchSize: 2,
      learningRate: 0.001,
      warmupRatio: 0,
      saveSteps: 2,
      loggingSteps: 1,
      loraDropout: 0,
      ...hyper,
    },
    ...extra,
  };
}

/**
 * `waitForRun`, but after `ms` it fails with what the database says about the run (its row, attempts and
 * queue job), so a run that never finishes explains itself instead of hitting the test timeout.
 */
export async function waitForRunOrExplain(
  app: TestApp,
  token: string,
  runId: string,
  done: (run: RunState) => boolean,
  ms: number,
) {
  let timer: NodeJS.Timeout | undefined;
  const explain = new Promise<never>((_, reject) => {
    timer = setTimeout(async () => {
      const q = (sql: string) => app.runtime.pool.query(sql, [runId]).then((r) => r.rows);
      const state = {
        run: await q(`select status, attempt, attempt_base, phase, error, job_id, worker_id from runs where id = $1`),
        attempts: await q(`select number, worker_name, outcome, reason, started_at, ended_at from run_attempts
                            where run_id = $1 order by number`),
        jobs: await q(`select id, state, retry_count, heartbeat_on, started_on, completed_on from pgboss.job
                        where data->>'runId' = $1::text`),
      };
      reject(new Error(`run ${runId} not done after ${ms} ms: ${JSON.stringify(state, null, 1)}`));
    }, ms);
  });
  try {
    return await Promise.race([waitForRun(app, token, runId, done), explain]);
  } finally {
    clearTimeout(timer);
  }
}

export const chatRows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    messages: [
      { role: 'user', content: `问题 ${i}: what is ${i} + ${i}?` },
      { role: 'assistant', content: `The answer is ${2 * i}. 答案是 ${2 * i}。` },
    ],
  }));

export const EVALUATION_FIELDS = `id status attempt cached phase progress { done total } summary
  error { reason message logTail }`;

export interface EvaluationState {
  id: string;
  status: string;
  attempt: number;
  cached: boolean;
  phase: string | null;
  progress: { done: number; total: number } | null;
  summary: Record<string, any> | null;
  error: { reason: string; message: string; logTail: string[] } | null;
}

/** Follows `evaluationUpdated` over graphql-ws until `done` accepts the evaluation. */
export function waitForEvaluation(
  app: TestApp,
  token: string,
  id: string,
  done: (evaluation: EvaluationState) => boolean,
) {
  return waitForEvent<{ evaluationUpdated: EvaluationState }>(
    app,
    token,
    `subscription($id: ID!) { evaluationUpdated(id: $id) { ${EVALUATION_FIELDS} } }`,
    { id },
    (e) => done(e.evaluationUpdated),
  ).then((e) => e.evaluationUpdated);
}
