/** A chart of a run page: an id for its title (`run.charts.<id>`) and the metric keys it overlays. */
export interface ChartSpec {
  id: string;
  keys: string[];
}

/** The trainer's metrics, grouped by scale: what one chart can share an axis for. */
export const TRAINING_CHARTS: ChartSpec[] = [
  { id: 'loss', keys: ['loss', 'eval_loss'] },
  { id: 'learningRate', keys: ['learning_rate'] },
  { id: 'gradNorm', keys: ['grad_norm'] },
  { id: 'throughput', keys: ['tokens_per_second'] },
];

export const TRAINING_KEYS = TRAINING_CHARTS.flatMap((c) => c.keys);

/**
 * Where a live subscription picks up after a history page: the oldest of the series' newest steps,
 * one step back so a point stored at the same step a moment later is not missed (a repeat only
 * overwrites the same value). Null when nothing is stored yet: then everything comes live.
 */
export function resumeAfterStep(series: readonly { lastStep?: number | null }[]): number | null {
  const last = series.map((s) => s.lastStep).filter((s): s is number => typeof s === 'number');
  return last.length ? Math.max(0, Math.min(...last) - 1) : null;
}

const GPU_KEY = /^gpu(\d+)\.(utilization|memory_used_mb)$/;

/** System metric keys → charts: utilisation and memory with one line per GPU, then CPU and RAM. */
export function systemCharts(keys: readonly string[]): ChartSpec[] {
  const gpus = (metric: string) =>
    keys
      .map((key) => ({ key, match: GPU_KEY.exec(key) }))
      .filter(({ match }) => match?.[2] === metric)
      .sort((a, b) => Number(a.match![1]) - Number(b.match![1]))
      .map(({ key }) => key);
  const charts: ChartSpec[] = [
    { id: 'gpuUtilization', keys: gpus('utilization') },
    { id: 'gpuMemory', keys: gpus('memory_used_mb') },
    { id: 'cpu', keys: keys.filter((k) => k === 'cpu.percent') },
    { id: 'memory', keys: keys.filter((k) => k === 'memory.used_mb') },
  ];
  return charts.filter((c) => c.keys.length > 0);
}

/** `gpu1.utilization` → "GPU 1"; other keys stay as they are. */
export function seriesLabel(key: string): string {
  const match = GPU_KEY.exec(key);
  return match ? `GPU ${match[1]}` : key;
}

/** A history series from the API's column fields, as the points SeriesBuffer.mergeHistory takes. */
export function historyPoints(s: { steps: number[]; mins: number[]; maxs: number[]; lasts: number[] }) {
  return s.steps.map((step, i) => ({ step, min: s.mins[i]!, max: s.maxs[i]!, last: s.lasts[i]! }));
}
