// The API killed (SIGKILL) and restarted while a run trains: the agent retries, spools what piles up
// to disk, resends what was not acknowledged, and the stored events and metrics are exactly what the
// trainer emitted.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../workers/agent/src/agent.js';
import { ADMIN, freshDatabase, type TestApp } from '../test-app.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import {
  CREATE_RUN,
  FINISHED,
  agentWorkRoot,
  chatRows,
  datasetVersion,
  repoRoot,
  startAgent,
  tinyRun,
  waitForRun,
} from '../training.js';
import pg from 'pg';

const port = 47000 + Math.floor(Math.random() * 1000);
const url = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'llmt-restart-'));
let databaseUrl: string;
let api: ChildProcess | null = null;
let agent: Agent | null = null;
let pool: pg.Pool;
let user: TestUser;

/** Starts the API as its own process (so it can be SIGKILLed) and resolves once it is ready. */
async function startApi() {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'api/src/main.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: join(repoRoot, 'api/tsconfig.json'),
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      PORT: String(port),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
      RUN_LEASE_SECONDS: '30',
      WEB_BUILD_DIR: join(dataDir, 'no-web'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('LLM Trainer is running')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`API exited (${code}): ${out.slice(-2000)}`)));
  });
  return child;
}

/** Resolves once `done()` holds, checking every 50 ms; fails after `ms`. */
async function until(done: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const app = {
  url,
  gql: async (query: string, variables?: Record<string, unknown>, token?: string) =>
    (await (
      await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      })
    ).json()) as never,
} as unknown as TestApp;

beforeAll(async () => {
  databaseUrl = await freshDatabase();
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  api = await startApi();
  user = await createUser(app, ['MEMBER'], 'restart');
}, 120_000);
afterAll(async () => {
  await agent?.stop({ abandon: true });
  api?.kill('SIGKILL');
  await pool?.end();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an API restart mid-run', () => {
  it('loses no event and stores none twice', async () => {
    const projectId = await createProject(app, user.token, 'Restart');
    const version = await datasetVersion(app, user, projectId, 'rows', chatRows(16));
    agent = await startAgent(app, await loginAdmin(app), 'steady', {
      relayMemoryEvents: 8, // a short outage is enough to reach the disk
      trainerEnv: { LLMTRAINER_TEST_HOOKS: JSON.stringify({ step_delay_s: 0.3 }) },
    });
    const created = await app.gql(CREATE_RUN, { i: tinyRun(version, { maxSteps: 20, saveSteps: 10 }) }, user.token);
    const runId = (created as { data: { createRun: { id: string } } }).data.createRun.id;
    await waitForRun(app, user.token, runId, (r) => (r.progress?.step ?? 0) >= 5);

    const killed = new Promise((resolve) => api!.once('exit', resolve));
    api!.kill('SIGKILL');
    await killed;
    // The trainer goes on; what it emits while the API is away reaches the attempt's spool directory.
    const spool = join(agentWorkRoot, 'steady', 'runs', runId, 'attempt-1', 'spool');
    await until(() => existsSync(spool) && readdirSync(spool).length > 0, 30_000);
    api = await startApi();

    const run = await waitForRun(app, user.token, runId, (r) => FINISHED.includes(r.status));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempt).toBe(1);
    const events = await pool.query<{ n: number; max: number; completed: number }>(
      `select count(*)::int as n, max(seq) as max, count(*) filter (where kind = 'completed')::int as completed
         from run_events where run_id = $1 and attempt = 1`,
      [runId],
    );
    // seq runs 0, 1, 2… without gaps in what the trainer wrote; all of it, once.
    expect(events.rows[0]).toEqual({ n: events.rows[0].max + 1, max: events.rows[0].max, completed: 1 });
    const losses = await pool.query(`select step from run_metrics where run_id = $1 and key = 'loss' order by step`, [
      runId,
    ]);
    expect(losses.rows.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  }, 300_000);
});
