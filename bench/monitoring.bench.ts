// Monitoring benchmarks against the real API (HTTP + graphql-ws) on a fresh database of the local
// PostgreSQL (127.0.0.1:5432). Speeds are also given as ratios to a baseline measured in the same run.
//   npm run bench:monitoring -- [--points 400000] [--history 1000000] [--queries 200] [--subscribers 100] [--seconds 30]
//                               [--only ingest,history,latency]
// 1. Ingest: 4 producers (one manual worker each, holding one run) send batches of 100 metric events ×
//    10 values through `reportJobEvents`, against node-postgres COPY of the same rows, same batches, into
//    a plain table shaped like run_metrics.                         goal ≥ 50k points/s and ≥ 0.5×
// 2. History: a 1M-point series, `run { metrics(keys: ["loss"], maxPoints: 1000) }` over GraphQL and
//    metricHistory() called directly.                                goal p95 ≤ 50 ms
// 3. Live latency: graphql-ws `runMetrics` subscribers spread over the 4 runs, each run's producer at
//    20 points/s; emit (before the mutation is sent) → received.    goal p50 ≤ 30 ms, p99 ≤ 150 ms
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import { from as copyFrom } from 'pg-copy-streams';
import WebSocket from 'ws';
import { metricHistory } from '../api/src/modules/run/metric-history.js';
import { loadLossSeries } from '../api/test/metrics.js';
import { benchLogin, startBenchApp } from './bench-app.js';
import type { TestUser } from '../api/test/factories.js';
import type { TestApp } from '../api/test/test-app.js';
import { CREATE_RUN, agentWorkRoot, chatRows, datasetVersion, tinyRun, workerToken } from '../api/test/training.js';

const { values: args } = parseArgs({
  options: {
    points: { type: 'string', default: '400000' },
    history: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '200' },
    subscribers: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    only: { type: 'string', default: 'ingest,history,latency' },
  },
});
const PRODUCERS = 4;
const EVENTS_PER_BATCH = 100;
const KEYS = Array.from({ length: 10 }, (_, i) => `m${i}`);
const POINTS_PER_BATCH = EVENTS_PER_BATCH * KEYS.length;

const REPORT = `mutation($i: ReportJobEventsInput!) { reportJobEvents(input: $i) { stored } }`;

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const fmt = (x: number) => x.toFixed(1);

interface Held {
  runId: string;
  attempt: number;
  token: string;
  seq: number;
}

/** The held job, as every worker write names it. */
const jobOf = (held: Held) => ({ kind: 'TRAINING', id: held.runId, attempt: held.attempt });

/** One batch: EVENTS_PER_BATCH metric events of 10 values each, steps from `firstStep`. */
function batch(held: Held, firstStep: number) {
  const time = new Date().toISOString();
  return Array.from({ length: EVENTS_PER_BATCH }, (_, i) => ({
    seq: held.seq++,
    time,
    event: 'metric',
    data: {
      step: firstStep + i,
      epoch: 0,
      values: Object.fromEntries(KEYS.map((k, j) => [k, 1 / (firstStep + i) + j])),
    },
  }));
}

async function ingestBench(app: TestApp, held: Held[]) {
  const batches = Math.ceil(Number(args.points) / POINTS_PER_BATCH / PRODUCERS);
  const total = batches * PRODUCERS * POINTS_PER_BATCH;

  // Baseline: the same rows, same batches, 4 connections, each batch one COPY into a plain table with
  // run_metrics' columns and primary key.
  const { pool } = app.runtime;
  await pool.query(`create table bench_copy (like run_metrics including all)`);
  const copyBatch = (runId: string, b: number) => {
    const time = new Date().toISOString();
    let text = '';
    for (let i = 0; i < EVENTS_PER_BATCH; i++) {
      const step = b * EVENTS_PER_BATCH + i + 1;
      for (let j = 0; j < KEYS.length; j++) text += `${runId}\t${KEYS[j]}\t${step}\t${1 / step + j}\t1\t${time}\n`;
    }
    return text;
  };
  let t = performance.now();
  await Promise.all(
    held.map(async ({ runId }) => {
      const client = await pool.connect();
      try {
        for (let b = 0; b < batches; b++)
          await pipeline(Readable.from([copyBatch(runId, b)]), client.query(copyFrom(`copy bench_copy from stdin`)));
      } finally {
        client.release();
      }
    }),
  );
  const copySeconds = (performance.now() - t) / 1000;
  const copied = (await pool.query(`select count(*)::int as n from bench_copy`)).rows[0].n;

  t = performance.now();
  await Promise.all(
    held.map(async (h) => {
      for (let b = 0; b < batches; b++) {
        const res = await app.gql(
          REPORT,
          { i: { job: jobOf(h), events: batch(h, b * EVENTS_PER_BATCH + 1) } },
          h.token,
        );
        if (res.errors) throw new Error(JSON.stringify(res.errors));
      }
    }),
  );
  const platformSeconds = (performance.now() - t) / 1000;
  const stored = (
    await pool.query(`select count(*)::int as n from run_metrics where run_id = any($1)`, [held.map((h) => h.runId)])
  ).rows[0].n;
  if (stored !== total || copied !== total) throw new Error(`stored ${stored}, copied ${copied}, expected ${total}`);
  const copyRate = total / copySeconds;
  const platformRate = total / platformSeconds;
  console.log(
    `ingest: ${total} points (${PRODUCERS} producers × ${batches} batches × ${EVENTS_PER_BATCH} events × ${KEYS.length} values), ${stored} rows stored`,
  );
  console.log(`  COPY into a plain table (same batches):  ${Math.round(copyRate)} points/s (${fmt(copySeconds)} s)`);
  console.log(
    `  reportJobEvents (GraphQL, 4 workers):     ${Math.round(platformRate)} points/s (${fmt(platformSeconds)} s) → ratio ${(platformRate / copyRate).toFixed(2)}× (goals ≥ 50000 points/s, ≥ 0.5×)`,
  );
  console.log(
    `  per batch of ${POINTS_PER_BATCH} points: ${fmt((platformSeconds * 1000 * PRODUCERS) / (batches * PRODUCERS))} ms platform, ${fmt((copySeconds * 1000 * PRODUCERS) / (batches * PRODUCERS))} ms COPY (4 in flight)`,
  );
}

async function historyBench(app: TestApp, user: TestUser, version: string) {
  const N = Number(args.history);
  const QUERIES = Number(args.queries);
  const { pool } = app.runtime;
  // A queued run to own the series (history reads need a run the user can see).
  const runId = (await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token)).data!.createRun.id as string;
  const t = performance.now();
  const value = (step: number) => 2 / Math.sqrt(step) + ((step * 7919) % 101) / 1e4;
  await loadLossSeries(pool, runId, N, value);
  console.log(`history: ${N} points of 'loss' (+ rollups) loaded in ${fmt((performance.now() - t) / 1000)} s`);

  // The column fields: what a chart needs, four lists instead of ~4,000 point fields.
  const QUERY = `query($id: ID!) { run(id: $id) { metrics(keys: ["loss"], maxPoints: 1000) { key bucketSteps lastStep steps mins maxs lasts } } }`;
  const timeIt = async (label: string, call: () => Promise<number>) => {
    await call(); // warm
    const samples: number[] = [];
    let points = 0;
    for (let i = 0; i < QUERIES; i++) {
      const s = performance.now();
      points = await call();
      samples.push(performance.now() - s);
    }
    samples.sort((a, b) => a - b);
    console.log(
      `  ${label}: ${QUERIES} queries, ${points} points each: p50 ${fmt(pct(samples, 0.5))} ms, p95 ${fmt(pct(samples, 0.95))} ms (goal p95 ≤ 50 ms)`,
    );
    return pct(samples, 0.95);
  };
  const table = { name: 'run_metrics' as const, x: 'step' };
  const explain = async () => {
    // Where the time goes: the plans of the two statements metricHistory runs for this series.
    for (const [label, sql, params] of [
      [
        'bounds',
        `select (select step from run_metrics where run_id = $1 and key = $2 and step between $3 and $4 order by step limit 1)::float8 as lo,
                (select step from run_metrics where run_id = $1 and key = $2 and step between $3 and $4 order by step desc limit 1)::float8 as hi`,
        [runId, 'loss', 0, 2 ** 31 - 1],
      ],
      [
        'rollup',
        `select (bucket::int8 * $5 / $6) as b, min(min), max(max), (array_agg(last order by last_step desc))[1], max(last_step), min(bucket)::int8 * $5
           from run_metric_rollups where run_id = $1 and key = $2 and width = $5::int and bucket between $3::int and $4::int
          group by 1 order by 1`,
        [runId, 'loss', 0, Math.floor(N / 1024), 1024, 1024],
      ],
    ] as const) {
      const plan = await pool.query(`explain (analyze, buffers) ${sql}`, [...params]);
      console.log(`  EXPLAIN ANALYZE ${label}:\n    ${plan.rows.map((r) => r['QUERY PLAN']).join('\n    ')}`);
    }
  };
  // First as ingest leaves the tables (no statistics yet for the new rows), then after ANALYZE (what
  // autovacuum does once enough rows changed).
  for (const state of ['as loaded', 'after ANALYZE']) {
    if (state === 'after ANALYZE') await pool.query('analyze run_metrics, run_metric_rollups');
    else
      await timeIt('request floor, GraphQL run { id }', async () => {
        const res = await app.gql(`query($id: ID!) { run(id: $id) { id } }`, { id: runId }, user.token);
        return res.data!.run ? 0 : -1;
      });
    const direct = await timeIt(`${state}, metricHistory() direct`, async () => {
      const s = await metricHistory(pool, table, runId, 'loss', 0, 2 ** 31 - 1, 1000);
      return s.points.length;
    });
    const graphql = await timeIt(`${state}, GraphQL run { metrics }`, async () => {
      const res = await app.gql(QUERY, { id: runId }, user.token);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.run.metrics[0].steps.length;
    });
    if (Math.max(direct, graphql) > 50) await explain();
  }
}

async function latencyBench(app: TestApp, user: TestUser, held: Held[]) {
  const SUBSCRIBERS = Number(args.subscribers);
  const SECONDS = Number(args.seconds);
  const WARMUP_MS = 2000;
  const now = () => performance.timeOrigin + performance.now();
  const samples: number[] = [];
  let measuring = false;
  const clients: Client[] = [];
  const firstStep = 10_000_000;
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const h = held[i % held.length];
    const client = createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${user.token}` },
    });
    clients.push(client);
    client.subscribe<{ runMetrics: { points: { key: string; step: number; value: number }[] } }>(
      {
        query: `subscription($runId: ID!, $afterStep: Int) { runMetrics(runId: $runId, keys: ["emit_ms"], afterStep: $afterStep) { points { key step value } } }`,
        variables: { runId: h.runId, afterStep: firstStep - 1 },
      },
      {
        next: (v) => {
          const at = now();
          if (v.errors) throw new Error(JSON.stringify(v.errors));
          if (measuring) for (const p of v.data!.runMetrics.points) samples.push(at - p.value);
        },
        error: (e) => console.error('subscription error', e),
        complete: () => undefined,
      },
    );
  }
  await new Promise((r) => setTimeout(r, 2000)); // connections and subscriptions established
  const end = performance.now() + WARMUP_MS + SECONDS * 1000;
  setTimeout(() => (measuring = true), WARMUP_MS);
  let sent = 0;
  let slowest = 0;
  await Promise.all(
    held.map(async (h) => {
      // One point every 50 ms, sent in order (as the agent's relay does): 20 points/s.
      let step = firstStep;
      let next = performance.now();
      while (next < end) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const emit = now();
        const res = await app.gql(
          REPORT,
          {
            i: {
              job: jobOf(h),
              events: [
                {
                  seq: h.seq++,
                  time: new Date().toISOString(),
                  event: 'metric',
                  data: { step: step++, values: { emit_ms: emit } },
                },
              ],
            },
          },
          h.token,
        );
        if (res.errors) throw new Error(JSON.stringify(res.errors));
        slowest = Math.max(slowest, now() - emit);
        sent++;
        next += 50;
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 500));
  measuring = false;
  for (const c of clients) void c.dispose();
  samples.sort((a, b) => a - b);
  const rate = sent / held.length / (SECONDS + WARMUP_MS / 1000);
  console.log(
    `latency: ${SUBSCRIBERS} graphql-ws subscribers over ${held.length} runs, ${fmt(rate)} points/s per run for ${SECONDS} s (after ${WARMUP_MS / 1000} s warm-up); ${samples.length} deliveries`,
  );
  console.log(
    `  emit → received: p50 ${fmt(pct(samples, 0.5))} ms, p99 ${fmt(pct(samples, 0.99))} ms, max ${fmt(samples.at(-1)!)} ms (goals p50 ≤ 30 ms, p99 ≤ 150 ms); slowest mutation round trip ${fmt(slowest)} ms`,
  );
}

// The manual workers send no heartbeats: a long lease.
const { app, close } = await startBenchApp('monitoring', { RUN_PROJECT_CONCURRENCY: '10', RUN_LEASE_SECONDS: '3600' });
try {
  const user = await benchLogin(app);
  const projectId = (await app.gql(`mutation { createProject(input: { name: "bench" }) { id } }`, {}, user.token)).data!
    .createProject.id as string;
  const version = await datasetVersion(app, user, projectId, 'rows', chatRows(4));
  const held: Held[] = [];
  for (let i = 0; i < PRODUCERS; i++) {
    const token = await workerToken(app, user, `manual-${i}-${randomUUID().slice(0, 8)}`);
    await app.gql(
      `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
      { i: { hostname: `bench-${i}`, gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'bench' } },
      token,
    );
    await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token);
    const claim = await app.gql(
      `mutation { claimJob(capabilities: { kinds: [TRAINING] }) { ... on TrainingJob { id attempt } } }`,
      {},
      token,
    );
    if (!claim.data?.claimJob) throw new Error(`claim failed: ${JSON.stringify(claim)}`);
    held.push({ runId: claim.data.claimJob.id, attempt: claim.data.claimJob.attempt, token, seq: 0 });
  }
  const only = args.only.split(',');
  if (only.includes('ingest')) await ingestBench(app, held);
  if (only.includes('history')) await historyBench(app, user, version);
  if (only.includes('latency')) await latencyBench(app, user, held);
} finally {
  await close();
  rmSync(agentWorkRoot, { recursive: true, force: true }); // made by training.ts on import
}
