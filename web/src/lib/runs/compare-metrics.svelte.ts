import { SeriesBuffer } from '$lib/charts/series';
import type { RunStatus } from '$lib/graphql/generated/graphql';
import { query } from '$lib/graphql/client';
import { RunMetricsDocument, RunMetricsLiveDocument } from '$lib/graphql/generated/graphql';
import { follow } from '$lib/graphql/follow';
import { resumeAfterStep, historyPoints } from './metric-charts';
import { isFinished } from '$lib/jobs/status';

interface ComparedRun {
  id: string;
  status: RunStatus;
}

/** The curves overlaid when comparing: one chart per key, one series per run. */
const KEYS = ['loss', 'eval_loss'] as const;

/**
 * Loss curves of several runs on shared step axes: each run's history page merged into its own
 * series, and unfinished runs followed live like on the run page.
 */
export class CompareMetrics {
  readonly charts: { key: string; buffer: SeriesBuffer }[];
  withData = $state<string[]>([]);
  loaded = $state(false);
  #stops: (() => void)[] = [];
  #stopped = false;
  readonly #runs: readonly ComparedRun[];

  constructor(runs: readonly ComparedRun[]) {
    this.#runs = runs;
    this.charts = KEYS.map((key) => ({ key, buffer: new SeriesBuffer(runs.length) }));
  }

  async start(): Promise<void> {
    await Promise.all(this.#runs.map((run, k) => this.#load(run, k)));
    this.loaded = true;
  }

  stop(): void {
    this.#stopped = true;
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  async #load(run: ComparedRun, k: number): Promise<void> {
    let series;
    try {
      series = (await query(RunMetricsDocument, { id: run.id, keys: [...KEYS], maxPoints: 1000 })).run.metrics;
    } catch {
      return; // That run's lines stay empty; the others still compare.
    }
    if (this.#stopped) return;
    for (const s of series) {
      const chart = this.charts.find((c) => c.key === s.key);
      if (!chart || s.steps.length === 0) continue;
      chart.buffer.mergeHistory(k, historyPoints(s));
      this.#sawData(chart.key);
    }
    if (isFinished(run.status)) return;
    this.#stops.push(
      follow(
        RunMetricsLiveDocument,
        { runId: run.id, keys: [...KEYS], afterStep: resumeAfterStep(series) },
        {
          next: (data) => {
            for (const point of data.runMetrics.points) {
              const chart = this.charts.find((c) => c.key === point.key);
              if (!chart) continue;
              chart.buffer.set(k, point.step, point.value);
              this.#sawData(chart.key);
            }
          },
        },
      ),
    );
  }

  #sawData(key: string): void {
    if (!this.withData.includes(key)) this.withData = [...this.withData, key];
  }
}
