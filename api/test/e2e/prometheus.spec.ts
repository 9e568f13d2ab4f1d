// GET /metrics after a small run flow: a "worker" is a plain GraphQL client with a worker token (as
// in monitoring.spec.ts), so what the series should say is known exactly.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from '../training.js';
import { CLAIM, trainingJob, HEARTBEAT } from '../worker-ops.js';

const METRICS_TOKEN = 'scrape-token-0123456789';
let app: TestApp;
let user: TestUser;
let worker: string;
let version: string;

beforeAll(async () => {
  app = await startTestApp({ METRICS_TOKEN });
  const admin = await loginAdmin(app);
  user = await createUser(app, ['MEMBER'], 'watcher');
  const projectId = await createProject(app, user.token, 'Observed');
  version = await datasetVersion(app, user, projectId, 'rows', chatRows(4));
  worker = await workerToken(app, admin, 'gpu-box');
  await app.gql(
    `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
    {
      i: {
        hostname: 'gpu-box',
        gpus: [{ index: 0, name: 'H100', memoryMb: 81_559 }],
        cpuCount: 2,
        memoryMb: 1024,
        agentVersion: 'test',
      },
    },
    worker,
  );
}, 120_000);
afterAll(() => app?.close());

const scrape = (token?: string) =>
  fetch(`${app.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** The value of one sample line, e.g. `llmt_runs{status="RUNNING"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('refuses a scraper without the token (401) or with a wrong one', async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await scrape('not-the-token-at-all')).status).toBe(401);
  });

  it('after a run flow, shows queue, runs, ingest, leases, workers, GPU, sockets and request latency', async () => {
    const queued = await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token);
    const waiting = await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token);
    expect(waiting.errors).toBeUndefined();
    const claim = await app.gql(CLAIM.replace('Claim', 'GrabWork'), {}, worker);
    const { runId, attempt } = claim.data!.claimJob;
    expect(runId).toBe(queued.data!.createRun.id);
    const events = Array.from({ length: 30 }, (_, i) => ({
      seq: i,
      time: new Date().toISOString(),
      event: 'metric',
      data: { step: i + 1, epoch: 0, values: { loss: 1 / (i + 1), learning_rate: 0.001 } },
    }));
    const report = await app.gql(
      `mutation($i: ReportJobEventsInput!) { reportJobEvents(input: $i) { stored } }`,
      { i: { job: trainingJob(runId, attempt), events } },
      worker,
    );
    expect(report.data!.reportJobEvents.stored).toBe(30);
    const system = {
      cpuPercent: 50,
      memoryUsedMb: 1000,
      memoryTotalMb: 4000,
      diskUsedGb: 10,
      diskTotalGb: 100,
      gpus: [{ index: 0, utilization: 87, memoryUsedMb: 2048, memoryTotalMb: 81_559, temperatureC: 60, powerW: 300 }],
    };
    expect(
      (await app.gql(HEARTBEAT, { jobs: [trainingJob(runId, attempt)], system }, worker)).data!.workerHeartbeat.leases,
    ).toEqual([{ valid: true }]);
    await app.gql(HEARTBEAT, { jobs: [trainingJob(runId, attempt + 1)], system }, worker); // a lease it does not hold

    // A dashboard with a live subscription open.
    const client = createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${user.token}` },
    });
    const first = new Promise<void>((resolve, reject) =>
      client.subscribe(
        { query: `subscription($id: ID!) { runUpdated(id: $id) { status } }`, variables: { id: runId } },
        { next: () => resolve(), error: reject, complete: () => {} },
      ),
    );
    await first;
    try {
      const res = await scrape(METRICS_TOKEN);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(sample(text, 'llmt_queue_jobs{queue="runs-cpu",state="created"}')).toBe(1);
      expect(sample(text, 'llmt_queue_jobs{queue="runs-cpu",state="active"}')).toBe(1);
      expect(sample(text, 'llmt_runs{status="QUEUED"}')).toBe(1);
      expect(sample(text, 'llmt_runs{status="STARTING"}')! + sample(text, 'llmt_runs{status="RUNNING"}')!).toBe(1);
      expect(sample(text, 'llmt_ingest_metric_points_total')).toBe(60); // 30 steps × 2 keys
      expect(sample(text, 'llmt_run_lease_renewals_total{result="renewed"}')).toBe(1);
      expect(sample(text, 'llmt_run_lease_renewals_total{result="refused"}')).toBe(1);
      expect(sample(text, 'llmt_run_lease_lapses_total')).toBe(0);
      expect(sample(text, 'llmt_workers_online')).toBe(1);
      expect(sample(text, 'llmt_worker_gpu_utilization_percent{worker="gpu-box",gpu="0"}')).toBe(87);
      expect(sample(text, 'llmt_worker_gpu_memory_used_bytes{worker="gpu-box",gpu="0"}')).toBe(2048 * 1024 ** 2);
      expect(sample(text, 'llmt_websocket_connections')).toBe(1);
      expect(sample(text, 'llmt_active_subscriptions')).toBe(1);
      // Latency per operation, named by root field whatever the client called it.
      expect(
        sample(
          text,
          'llmt_graphql_operation_duration_seconds_count{operation="claimJob",type="mutation",outcome="ok"}',
        ),
      ).toBe(1);
      expect(
        sample(
          text,
          'llmt_graphql_operation_duration_seconds_count{operation="createRun",type="mutation",outcome="ok"}',
        ),
      ).toBe(2);
      expect(
        sample(text, 'llmt_http_request_duration_seconds_count{route="/graphql",method="POST",status="2xx"}'),
      ).toBeGreaterThan(5);
    } finally {
      await client.dispose();
    }
  }, 60_000);
});
