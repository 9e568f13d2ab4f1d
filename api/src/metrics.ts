import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { API_QUEUE } from './modules/job/api-jobs.js';
import { WORKER_QUEUES } from './modules/job/job-queue.js';
import { RunStatus } from './modules/run/run.entity.js';
import { ONLINE_WITHIN_MS } from './modules/worker/worker.service.js';

/** First path segments that name an API route; anything else is the web app ("web"), so labels stay few. */
const ROUTES = new Set([
  'graphql',
  'uploads',
  'datasets',
  'models',
  'worker',
  'healthz',
  'readyz',
  'metrics',
  'playground',
]);
export const routeLabel = (path: string) => {
  const first = path.split('/')[1] ?? '';
  return ROUTES.has(first) ? `/${first}` : 'web';
};

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Prometheus series of one API instance (its own registry: two instances in one test process do not
 * collide). Counters count what this instance did; gauges read the shared state (database, pg-boss)
 * at scrape time, so every instance reports the same totals for those.
 */
/** Queues whose depth /metrics shows. */
const QUEUES = [...WORKER_QUEUES, API_QUEUE];

export class AppMetrics {
  readonly registry = new Registry();
  /** Set by the WebSocket server once it runs. */
  ws: { connections(): number; subscriptions(): number } | null = null;

  readonly httpDuration = new Histogram({
    name: 'llmt_http_request_duration_seconds',
    help: 'HTTP request latency by route (first path segment; the web app is "web"), method and status class',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly graphqlDuration = new Histogram({
    name: 'llmt_graphql_operation_duration_seconds',
    help:
      'GraphQL over HTTP: latency per operation, named by its root field (bounded by the schema); ' +
      '"multiple" for several root fields, "unknown" for requests that did not parse or validate',
    labelNames: ['operation', 'type', 'outcome'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly ingestedPoints = new Counter({
    name: 'llmt_ingest_metric_points_total',
    help: 'Metric points stored from workers by this instance',
    registers: [this.registry],
  });
  readonly leaseRenewals = new Counter({
    name: 'llmt_run_lease_renewals_total',
    help: 'Run leases a worker heartbeat asked to renew, by result (renewed or refused)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly leaseLapses = new Counter({
    name: 'llmt_run_lease_lapses_total',
    help: 'Runs whose lease lapsed (worker lost), settled by this instance',
    registers: [this.registry],
  });

  constructor(pool: pg.Pool) {
    const ws = () => this.ws;
    new Gauge({
      name: 'llmt_websocket_connections',
      help: 'Open GraphQL WebSocket connections to this instance',
      registers: [this.registry],
      collect() {
        this.set(ws()?.connections() ?? 0);
      },
    });
    new Gauge({
      name: 'llmt_active_subscriptions',
      help: 'GraphQL subscriptions running on this instance',
      registers: [this.registry],
      collect() {
        this.set(ws()?.subscriptions() ?? 0);
      },
    });
    new Gauge({
      name: 'llmt_queue_jobs',
      help: 'Jobs per queue (worker queues by kind and resource class, and the API-side queue) and state (pg-boss: created, retry, active)',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const { rows } = await pool.query<{ name: string; state: string; n: number }>(
          `select name, state::text, count(*)::int as n from pgboss.job
            where name = any($1) and state in ('created', 'retry', 'active') group by 1, 2`,
          [QUEUES],
        );
        this.reset();
        for (const queue of QUEUES)
          for (const state of ['created', 'retry', 'active'])
            this.set({ queue, state }, rows.find((r) => r.name === queue && r.state === state)?.n ?? 0);
      },
    });
    new Gauge({
      name: 'llmt_runs',
      help: 'Runs by status',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const { rows } = await pool.query<{ status: string; n: number }>(
          'select status, count(*)::int as n from runs group by status',
        );
        this.reset();
        for (const status of Object.values(RunStatus))
          this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
      },
    });
    // Workers and their last machine sample, read once per scrape for the three gauges below.
    let workers: Promise<{ name: string; online: boolean; gpus: GpuSample[] }[]> | null = null;
    const readWorkers = () =>
      (workers ??= pool
        .query<{ name: string; online: boolean; gpus: GpuSample[] | null }>(
          `select name, coalesce(last_heartbeat_at > now() - make_interval(secs => $1), false) as online,
                  system->'gpus' as gpus
             from workers where revoked_at is null`,
          [ONLINE_WITHIN_MS / 1000],
        )
        .then((r) => r.rows.map((w) => ({ ...w, gpus: Array.isArray(w.gpus) ? w.gpus : [] })))
        .finally(() => setImmediate(() => (workers = null))));
    new Gauge({
      name: 'llmt_workers_online',
      help: 'Workers whose last heartbeat is recent',
      registers: [this.registry],
      async collect() {
        this.set((await readWorkers()).filter((w) => w.online).length);
      },
    });
    new Gauge({
      name: 'llmt_worker_gpu_utilization_percent',
      help: 'GPU utilisation per online worker and GPU index, from its last heartbeat sample',
      labelNames: ['worker', 'gpu'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const w of await readWorkers())
          if (w.online) for (const g of w.gpus) this.set({ worker: w.name, gpu: String(g.index) }, g.utilization);
      },
    });
    new Gauge({
      name: 'llmt_worker_gpu_memory_used_bytes',
      help: 'GPU memory in use per online worker and GPU index, from its last heartbeat sample',
      labelNames: ['worker', 'gpu'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const w of await readWorkers())
          if (w.online)
            for (const g of w.gpus) this.set({ worker: w.name, gpu: String(g.index) }, g.memoryUsedMb * 1024 ** 2);
      },
    });
    new Gauge({
      name: 'llmt_worker_gpu_memory_total_bytes',
      help: 'GPU memory per online worker and GPU index, from its last heartbeat sample',
      labelNames: ['worker', 'gpu'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const w of await readWorkers())
          if (w.online)
            for (const g of w.gpus) this.set({ worker: w.name, gpu: String(g.index) }, g.memoryTotalMb * 1024 ** 2);
      },
    });
  }
}

interface GpuSample {
  index: number;
  utilization: number;
  memoryUsedMb: number;
  memoryTotalMb: number;
}
