// The queue under load: 4 workers drain 200 queued runs (the trainer's noop mode), each exactly once,
// never more than RUN_PROJECT_CONCURRENCY runs of one project at a time, higher priority first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../workers/agent/src/agent.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, FINISHED, chatRows, datasetVersion, startAgent, tinyRun, waitForRun } from '../training.js';

let app: TestApp;
let user: TestUser;
const agents: Agent[] = [];
const projects: { id: string; version: string }[] = [];

beforeAll(async () => {
  app = await startTestApp({ RUN_PROJECT_CONCURRENCY: '2', RUN_LEASE_SECONDS: '30', RUN_QUEUE_MONITOR_SECONDS: '1' });
  user = await createUser(app, ['MEMBER'], 'queue');
  for (const name of ['Queue A', 'Queue B']) {
    const id = await createProject(app, user.token, name);
    projects.push({ id, version: await datasetVersion(app, user, id, 'rows', chatRows(4)) });
  }
}, 120_000);
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await app?.close();
});

describe('4 workers × 200 queued noop runs', () => {
  it('every run completes exactly once, within the per-project limit', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { version } = projects[i % 2];
      const res = await app.gql(CREATE_RUN, { i: tinyRun(version, { maxSteps: 3 }) }, user.token);
      expect(res.errors).toBeUndefined();
      ids.push(res.data!.createRun.id);
    }
    // A late, urgent run: queued last, trained among the first.
    const urgent = await app.gql(
      CREATE_RUN,
      { i: tinyRun(projects[0].version, { maxSteps: 3 }, { priority: 100 }) },
      user.token,
    );
    ids.push(urgent.data!.createRun.id);

    const admin = await loginAdmin(app);
    for (let w = 0; w < 4; w++)
      agents.push(await startAgent(app, admin, `noop-${w}`, { trainerMode: 'noop', pollSeconds: 0.1 }));
    // runUpdated yields the current state first: a run that already ended resolves at once.
    for (const id of ids) await waitForRun(app, user.token, id, (r) => FINISHED.includes(r.status));
    // A run that did not succeed shows why, so a red run says more than a count.
    const unhappy = await app.runtime.pool.query(
      `select r.id, r.status, r.error, json_agg(json_build_object('attempt', a.number, 'worker', a.worker_name,
         'outcome', a.outcome, 'reason', a.reason) order by a.number) as attempts
       from runs r left join run_attempts a on a.run_id = r.id where r.status <> 'SUCCEEDED' group by r.id`,
    );
    expect(unhappy.rows).toEqual([]);
    const status = await app.runtime.pool.query<{ status: string; n: string }>(
      `select status, count(*) as n from runs group by status`,
    );
    expect(status.rows).toEqual([{ status: 'SUCCEEDED', n: '201' }]);

    // A run trained twice shows how each attempt ended (lease lapse, crash…), not only a count.
    const attempts = await app.runtime.pool.query(
      `select run_id, json_agg(json_build_object('attempt', number, 'worker', worker_name, 'outcome', outcome,
         'reason', reason, 'started', started_at, 'ended', ended_at) order by number) as attempts
       from run_attempts group by run_id having count(*) <> 1`,
    );
    expect(attempts.rows).toEqual([]);
    const models = await app.runtime.pool.query(`select count(distinct run_id) as n from model_versions`);
    expect(models.rows[0].n).toBe('201');
    // Versions completed at the same moment in one project still get numbers 1, 2, 3… each once.
    const numbering = await app.runtime.pool.query(
      `select count(*)::int as n, count(distinct number)::int as distinct, max(number) as top
         from model_versions group by project_id order by 1`,
    );
    expect(numbering.rows).toEqual([
      { n: 100, distinct: 100, top: 100 },
      { n: 101, distinct: 101, top: 101 },
    ]);
    // The training queues' jobs (the datasets' versions were jobs of the API-side queue).
    const jobs = await app.runtime.pool.query(
      `select state, count(*) as n from pgboss.job where name like 'runs-%' group by state order by state`,
    );
    expect(jobs.rows).toEqual([{ state: 'completed', n: '201' }]);

    // Every worker took part, and no project ever had more than 2 runs in flight.
    const perWorker = await app.runtime.pool.query(`select worker_name, count(*) as n from run_attempts group by 1`);
    expect(perWorker.rows).toHaveLength(4);
    const overlap = await app.runtime.pool.query<{ project_id: string; peak: number }>(
      `select r.project_id, max(c.n)::int as peak from run_attempts a join runs r on r.id = a.run_id
         cross join lateral (select count(*) as n from run_attempts b join runs rb on rb.id = b.run_id
           where rb.project_id = r.project_id and b.started_at <= a.started_at and b.ended_at > a.started_at) c
       group by r.project_id`,
    );
    for (const p of overlap.rows) expect(p.peak).toBeLessThanOrEqual(2);
    expect(Math.max(...overlap.rows.map((p) => p.peak))).toBe(2);

    // Priority: the urgent run started before most of the runs queued ahead of it.
    const order = await app.runtime.pool.query<{ rank: string }>(
      `select rank from (select run_id, rank() over (order by started_at) as rank from run_attempts) x where run_id = $1`,
      [urgent.data!.createRun.id],
    );
    expect(Number(order.rows[0].rank)).toBeLessThanOrEqual(12);
  }, 600_000);
});
