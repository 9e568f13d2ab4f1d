// A bad network between the agent and the API: a TCP proxy in between delays every chunk, drops some
// connections and cuts live ones at random (seeded). The run completes in its first attempt, no event
// is stored twice, and its per-step losses equal those of the same run trained over a clean connection.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../../workers/agent/src/agent.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { FaultProxy } from '../fault-proxy.js';
import { startTestApp, type TestApp } from '../test-app.js';
import {
  CREATE_RUN,
  FINISHED,
  agentConfig,
  chatRows,
  datasetVersion,
  startAgent,
  tinyRun,
  waitForRun,
  waitForRunOrExplain,
  workerToken,
} from '../training.js';

const SEED = 1;
let app: TestApp;
let admin: TestUser;
let user: TestUser;
let version: string;
let proxy: FaultProxy;
const agents: Agent[] = [];

beforeAll(async () => {
  app = await startTestApp();
  admin = await loginAdmin(app);
  user = await createUser(app, ['MEMBER'], 'network');
  const projectId = await createProject(app, user.token, 'Network');
  // Enough rows that the dataset's download is itself cut now and then.
  version = await datasetVersion(app, user, projectId, 'rows', chatRows(400));
  proxy = await FaultProxy.start({
    targetPort: Number(new URL(app.url).port),
    seed: SEED,
    dropRate: 0.15,
    maxLifeMs: 1500,
    byteCutRate: 0.3,
    maxLifeBytes: 128 * 1024,
    maxDelayMs: 30,
  });
}, 120_000);
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.stop({ abandon: true });
});
afterAll(async () => {
  await proxy?.close();
  await app?.close();
});

const hyper = { maxSteps: 12, saveSteps: 4 };
// Slow steps: the run lasts long enough for many connections to be cut under it.
const trainerEnv = { LLMTRAINER_TEST_HOOKS: JSON.stringify({ step_delay_s: 0.2 }) };

async function createRun(): Promise<string> {
  const res = await app.gql(CREATE_RUN, { i: tinyRun(version, hyper) }, user.token);
  expect(res.errors).toBeUndefined();
  return res.data!.createRun.id as string;
}

async function finished(id: string) {
  const run = await waitForRunOrExplain(app, user.token, id, (r) => FINISHED.includes(r.status), 200_000);
  expect(run.status, JSON.stringify(run.error)).toBe('SUCCEEDED');
  expect(run.attempt).toBe(1);
  const detail = await app.gql(
    `query($id: ID!) { run(id: $id) { attempts { nodes { workerName } } } }`,
    { id },
    user.token,
  );
  return detail.data!.run.attempts.nodes.map((a: { workerName: string }) => a.workerName) as string[];
}

const query = async <T>(sql: string, runId: string) => (await app.runtime.pool.query(sql, [runId])).rows as T[];

describe('the network between agent and API delays, drops and cuts', () => {
  it('the run completes once, no event twice, the same losses as over a clean connection', async () => {
    const started = Date.now();
    const token = await workerToken(app, admin, 'behind-proxy');
    const proxied = new Agent(agentConfig({ url: proxy.url } as TestApp, token, 'behind-proxy', { trainerEnv }));
    agents.push(proxied);
    await proxied.start();
    const faulty = await createRun();
    await waitForRun(app, user.token, faulty, (r) => r.status === 'RUNNING');
    // The same run over a clean connection, alongside: the agent behind the proxy is busy, so this one takes it.
    agents.push(await startAgent(app, admin, 'direct', { trainerEnv }));
    const clean = await createRun();
    const [faultyBy, cleanBy] = await Promise.all([finished(faulty), finished(clean)]);
    expect([faultyBy, cleanBy]).toEqual([['behind-proxy'], ['direct']]);

    const events = await query<{ n: number; max: number; distinct: number }>(
      `select count(*)::int as n, max(seq) as max, count(distinct seq)::int as distinct from run_events where run_id = $1`,
      faulty,
    );
    // seq 0, 1, 2… without a gap, each once.
    expect(events[0]).toEqual({ n: events[0]!.max + 1, max: events[0]!.max, distinct: events[0]!.max + 1 });
    // Nor any event twice under another seq: no two events of the run say the same (kind and payload).
    const repeated = await query(
      `select kind, payload, count(*)::int as n from run_events where run_id = $1 group by kind, payload having count(*) > 1`,
      faulty,
    );
    expect(repeated).toEqual([]);
    const checkpoints = await query<{ step: number; size: number }>(
      `select step, size_bytes::int as size from run_checkpoints where run_id = $1 order by step`,
      faulty,
    );
    expect(checkpoints.map((c) => c.step)).toEqual([4, 8, 12]);
    const losses = (runId: string) =>
      query<{ step: number; value: number }>(
        `select step, value from run_metrics where run_id = $1 and key = 'loss' order by step`,
        runId,
      );
    const [overProxy, direct] = [await losses(faulty), await losses(clean)];
    expect(overProxy.map((l) => l.step)).toEqual(Array.from({ length: hyper.maxSteps }, (_, i) => i + 1));
    expect(direct.map((l) => l.step)).toEqual(overProxy.map((l) => l.step));
    for (const [i, l] of overProxy.entries()) expect(Math.abs(l.value - direct[i]!.value)).toBeLessThanOrEqual(1e-5);

    const { stats } = proxy;
    // The seed's first five connections include a drop; every connection is cut sooner or later.
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.cut).toBeGreaterThan(0);
    console.log(
      `[network faults] seed ${SEED}: ${stats.connections} connections, ${stats.dropped} dropped, ${stats.cut} cut ` +
        `(${stats.cutMidRequest} with a request in flight, ${stats.cutMidChunk} mid-chunk); ${events[0]!.n} events stored once; ` +
        `${checkpoints.length} checkpoints of ${(checkpoints[0]!.size / 1e6).toFixed(1)} MB uploaded through it; ` +
        `${overProxy.length} losses equal to the clean run's; ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }, 300_000);
});
