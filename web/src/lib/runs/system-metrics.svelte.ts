import { SeriesBuffer } from '$lib/charts/series';
import { query } from '$lib/graphql/client';
import { RunSystemMetricsDocument, type MetricSeriesFieldsFragment } from '$lib/graphql/generated/graphql';
import { systemCharts, type ChartSpec, historyPoints } from './metric-charts';

/** The agent samples the machine every few seconds; the page looks this often while the run goes on. */
const POLL_MS = 15_000;
const MAX_POINTS = 600;

export interface SystemChart {
  spec: ChartSpec;
  buffer: SeriesBuffer;
}

/**
 * The worker's GPU, CPU and memory while it trained the run. There is no live stream for these:
 * the downsampled page is fetched again while the run goes on. The API's x is Unix seconds; the
 * charts show seconds since the run started.
 */
export class SystemMetrics {
  charts = $state.raw<SystemChart[]>([]);
  #timer: ReturnType<typeof setInterval> | null = null;
  #keys = '';
  readonly #runId: string;
  readonly #origin: () => number;

  /** `startedAt` is read on each fetch: a queued run gets it when it starts. */
  constructor(runId: string, startedAt: () => string | null | undefined) {
    this.#runId = runId;
    this.#origin = () => {
      const t = Date.parse(startedAt() ?? '');
      return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
    };
  }

  start(live: boolean): void {
    void this.#load();
    if (live) this.#timer = setInterval(() => void this.#load(), POLL_MS);
  }

  /** The run ended: one last look, then no more polling. */
  finish(): void {
    if (!this.#timer) return;
    this.stop();
    void this.#load();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #load(): Promise<void> {
    let series: MetricSeriesFieldsFragment[];
    try {
      series = (await query(RunSystemMetricsDocument, { id: this.#runId, maxPoints: MAX_POINTS })).run.systemMetrics;
    } catch {
      return; // Keep what is drawn; the next poll tries again.
    }
    const withPoints = series.filter((s) => s.steps.length > 0);
    const keys = withPoints.map((s) => s.key).sort();
    if (keys.join() !== this.#keys) {
      // A GPU appeared (or the first page): new charts, built once for this set of series.
      this.#keys = keys.join();
      this.charts = systemCharts(keys).map((spec) => ({ spec, buffer: new SeriesBuffer(spec.keys.length) }));
    }
    const origin = this.#origin();
    for (const chart of this.charts) {
      chart.spec.keys.forEach((key, k) => {
        const found = withPoints.find((s) => s.key === key);
        if (!found) return;
        const points = historyPoints(found).map((p) => ({ ...p, step: p.step - origin }));
        chart.buffer.mergeHistory(k, points);
      });
    }
  }
}
