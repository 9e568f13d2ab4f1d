import { SeriesBuffer, needsFinerHistory, type StepRange } from '$lib/charts/series';
import { query } from '$lib/graphql/client';
import { toAppError, type AppError } from '$lib/graphql/errors';
import {
  RunMetricsDocument,
  RunMetricsLiveDocument,
  type MetricSeriesFieldsFragment,
} from '$lib/graphql/generated/graphql';
import { follow } from '$lib/graphql/follow';
import { TRAINING_CHARTS, TRAINING_KEYS, resumeAfterStep, type ChartSpec, historyPoints } from './metric-charts';

/** Points per series in a history page: about one per pixel of a wide chart. */
const MAX_POINTS = 1000;

export interface TrainingChart {
  spec: ChartSpec;
  buffer: SeriesBuffer;
  /** Steps per point of the page loaded for the whole run (1 = raw). */
  bucketSteps: number;
  /** A finer page loaded for a zoomed range, so zooming inside it again fetches nothing. */
  finer: { range: StepRange; bucketSteps: number } | null;
}

/**
 * A run's training metrics for its charts: one SeriesBuffer per chart, filled by a downsampled
 * history page and kept current by the runMetrics subscription (which replays what was stored
 * after the page, so nothing falls between them). Zooming fetches a finer page for the range.
 */
export class TrainingMetrics {
  readonly charts: TrainingChart[] = TRAINING_CHARTS.map((spec) => ({
    spec,
    buffer: new SeriesBuffer(spec.keys.length),
    bucketSteps: 1,
    finer: null,
  }));
  /** Charts with at least one point: the page shows only these. */
  withData = $state<string[]>([]);
  loaded = $state(false);
  error = $state<AppError | null>(null);
  #stop: (() => void) | null = null;
  #stopped = false;
  readonly #runId: string;

  constructor(runId: string) {
    this.#runId = runId;
  }

  /** Loads the history and, for a run still going, follows new points until `stop`. */
  async start(live: boolean): Promise<void> {
    try {
      const data = await query(RunMetricsDocument, { id: this.#runId, keys: TRAINING_KEYS, maxPoints: MAX_POINTS });
      if (this.#stopped) return;
      for (const series of data.run.metrics) this.#merge(series);
      this.loaded = true;
      if (live) this.#follow(resumeAfterStep(data.run.metrics));
    } catch (caught) {
      this.error = toAppError(caught);
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#stop?.();
    this.#stop = null;
  }

  /** The user zoomed a chart: fetch a finer page for the range when the loaded one is too coarse. */
  async zoom(chart: TrainingChart, from: number, to: number): Promise<void> {
    const range = { from: Math.floor(from), to: Math.ceil(to) };
    const inFiner = chart.finer && chart.finer.range.from <= range.from && chart.finer.range.to >= range.to;
    const bucketSteps = inFiner ? chart.finer!.bucketSteps : chart.bucketSteps;
    if (!needsFinerHistory(range, bucketSteps)) return;
    try {
      const data = await query(RunMetricsDocument, {
        id: this.#runId,
        keys: chart.spec.keys,
        fromStep: range.from,
        toStep: range.to,
        maxPoints: MAX_POINTS,
      });
      let finest = bucketSteps;
      for (const series of data.run.metrics) {
        const k = chart.spec.keys.indexOf(series.key);
        if (k < 0) continue;
        chart.buffer.mergeHistory(k, historyPoints(series), range);
        finest = Math.min(finest, series.bucketSteps);
      }
      chart.finer = { range, bucketSteps: finest };
    } catch {
      // The coarse page stays on screen; a later zoom tries again.
    }
  }

  #merge(series: MetricSeriesFieldsFragment): void {
    for (const chart of this.charts) {
      const k = chart.spec.keys.indexOf(series.key);
      if (k < 0 || series.steps.length === 0) continue;
      chart.buffer.mergeHistory(k, historyPoints(series));
      chart.bucketSteps = Math.max(chart.bucketSteps, series.bucketSteps);
      this.#sawData(chart);
    }
  }

  #follow(afterStep: number | null): void {
    this.#stop = follow(
      RunMetricsLiveDocument,
      { runId: this.#runId, keys: TRAINING_KEYS, afterStep },
      {
        next: (data) => {
          for (const point of data.runMetrics.points) {
            for (const chart of this.charts) {
              const k = chart.spec.keys.indexOf(point.key);
              if (k < 0) continue;
              chart.buffer.set(k, point.step, point.value);
              this.#sawData(chart);
            }
          }
        },
        error: (error) => (this.error = error),
      },
    );
  }

  #sawData(chart: TrainingChart): void {
    if (!this.withData.includes(chart.spec.id)) this.withData = [...this.withData, chart.spec.id];
  }
}
