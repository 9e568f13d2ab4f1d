// PostgreSQL restarted (fast shutdown, then started again) while a run trains: the API outlives it,
// the agent keeps what it could not deliver (memory, then its spool) and retries, and the run ends
// SUCCEEDED with every event stored once. The test has a PostgreSQL of its own: the suite's shared
// one serves the test files running beside it and is never stopped.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../workers/agent/src/agent.js';
import { ensureDatabase } from '../../src/db/embedded-postgres.js';
import { apiClient, startApiProcess, type ApiProcess } from '../api-process.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { PostgresServer, freePort } from '../fault-servers.js';
import type { TestApp } from '../test-app.js';
import {
  CREATE_RUN,
  FINISHED,
  agentWorkRoot,
  chatRows,
  datasetVersion,
  startAgent,
  tinyRun,
  waitForRun,
} from '../training.js';

const dir = mkdtempSync(join(tmpdir(), 'llmt-pg-restart-'));
let postgres: PostgresServer;
let api: ApiProcess;
let app: TestApp;
let pool: pg.Pool;
let agent: Agent | null = null;
let user: TestUser;

beforeAll(async () => {
  postgres = await PostgresServer.start(join(dir, 'pg'));
  await ensureDatabase(postgres.adminUrl, 'llmt');
  const databaseUrl = postgres.urlFor('llmt');
  const port = await freePort();
  api = await startApiProcess({ databaseUrl, dataDir: join(dir, 'data'), port });
  app = apiClient(port);
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', () => {}); // its idle connections end with the server
  user = await createUser(app, ['MEMBER'], 'pg-restart');
}, 120_000);
afterAll(async () => {
  await agent?.stop({ abandon: true });
  await api?.kill();
  await pool?.end();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('PostgreSQL restarted during a run', () => {
  it('the run finishes SUCCEEDED; every event is stored once, each step’s loss once', async () => {
    const projectId = await createProject(app, user.token, 'PG restart');
    const version = await datasetVersion(app, user, projectId, 'rows', chatRows(16));
    agent = await startAgent(app, await loginAdmin(app), 'pg-restart', {
      relayMemoryEvents: 8, // a short outage is enough to reach the disk
      trainerEnv: { LLMTRAINER_TEST_HOOKS: JSON.stringify({ step_delay_s: 0.3 }) },
    });
    const steps = 24;
    const created = await app.gql(CREATE_RUN, { i: tinyRun(version, { maxSteps: steps, saveSteps: 8 }) }, user.token);
    const runId = created.data!.createRun.id as string;
    await waitForRun(app, user.token, runId, (r) => (r.progress?.step ?? 0) >= 4);

    const stoppedAt = Date.now();
    await postgres.stop();
    // The trainer goes on; what it emits while the database is away reaches the attempt's spool.
    const spool = join(agentWorkRoot, 'pg-restart', 'runs', runId, 'attempt-1', 'spool');
    await expect
      .poll(() => existsSync(spool) && readdirSync(spool).length > 0, { timeout: 60_000, interval: 100 })
      .toBe(true);
    expect(api.child.exitCode).toBeNull(); // the API is still there
    await postgres.start();
    const downMs = Date.now() - stoppedAt;

    const run = await waitForRun(app, user.token, runId, (r) => FINISHED.includes(r.status));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempt).toBe(1);
    const events = await pool.query<{ n: number; max: number; attempts: number; completed: number }>(
      `select count(*)::int as n, max(seq) as max, count(distinct attempt)::int as attempts,
              count(*) filter (where kind = 'completed')::int as completed
         from run_events where run_id = $1`,
      [runId],
    );
    // seq runs 0, 1, 2… without gaps in what the trainer wrote; all of it, once, in one attempt.
    expect(events.rows[0]).toEqual({ n: events.rows[0]!.max + 1, max: events.rows[0]!.max, attempts: 1, completed: 1 });
    const losses = await pool.query(`select step from run_metrics where run_id = $1 and key = 'loss' order by step`, [
      runId,
    ]);
    expect(losses.rows.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    // Nor any event twice under another seq: no two events of the run say the same (kind and payload).
    const repeated = await pool.query(
      `select kind, payload, count(*)::int as n from run_events where run_id = $1 group by kind, payload having count(*) > 1`,
      [runId],
    );
    expect(repeated.rows).toEqual([]);
    const kinds = await pool.query<{ kind: string; n: number }>(
      `select kind, count(*)::int as n from run_events where run_id = $1 group by kind order by kind`,
      [runId],
    );
    console.log(
      `[pg restart] database down ${downMs} ms; ${events.rows[0]!.n} events stored once (seq 0..${events.rows[0]!.max}), ` +
        `${losses.rows.length} losses; by kind: ${kinds.rows.map((k) => `${k.kind} ${k.n}`).join(', ')}`,
    );
  }, 240_000);
});
