/**
 * uPlot options and data for LiveChart, kept apart from the component so the benchmark drives the
 * same code. Each series definition becomes up to four uPlot series: [max, min] (the band), raw, smoothed.
 */
import uPlot from 'uplot';
import { SeriesBuffer, finiteExtent, hasInnerGaps, withNulls } from './series';

/** One line of a chart. */
export interface SeriesDef {
  label: string;
  /** A design token (`--color-primary`) or any CSS colour; by default the palette's next token. */
  color?: string;
  /** Shade the min..max of each history bucket behind the line. */
  band?: boolean;
}

type Kind = 'max' | 'min' | 'raw' | 'smoothed';
export interface Column {
  def: number;
  kind: Kind;
}

export const PALETTE = ['--color-primary', '--color-danger', '--color-success', '--color-warning', '--color-info'];

/** The uPlot series after x, in order. */
export function columnsOf(defs: readonly SeriesDef[]): Column[] {
  return defs.flatMap((d, def): Column[] => [
    ...(d.band
      ? [
          { def, kind: 'max' as const },
          { def, kind: 'min' as const },
        ]
      : []),
    { def, kind: 'raw' },
    { def, kind: 'smoothed' },
  ]);
}

/** uPlot data from the buffer: typed-array views, copied (with null for NaN) only for sparse series. */
export function chartData(source: SeriesBuffer, columns: readonly Column[], smoothing: number): uPlot.AlignedData {
  const sparse = new Map<number, boolean>();
  const isSparse = (k: number) => {
    if (!sparse.has(k)) sparse.set(k, hasInnerGaps(source.values(k)));
    return sparse.get(k)!;
  };
  const data: uPlot.AlignedData[number][] = [source.x];
  for (const { def, kind } of columns) {
    const column =
      kind === 'max'
        ? source.maxs(def)
        : kind === 'min'
          ? source.mins(def)
          : kind === 'smoothed' && smoothing > 0
            ? source.smoothed(def, smoothing)
            : source.values(def);
    data.push(isSparse(def) ? withNulls(column) : column);
  }
  return data as uPlot.AlignedData;
}

/** Y tick labels that stay readable for learning rates (2e-4) and token rates (1.2e5) alike. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/** `#rgb`/`#rrggbb`/`rgb()` with alpha; other colour syntaxes come back unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (hex) {
    const digits = hex[1]!;
    const h = digits.length === 3 ? [...digits].map((c) => c + c).join('') : digits;
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^,)]+),([^,)]+),([^,)]+)/.exec(color);
  return rgb ? `rgba(${rgb[1]},${rgb[2]},${rgb[3]}, ${alpha})` : color;
}

export interface OptionsInput {
  defs: readonly SeriesDef[];
  width: number;
  height: number;
  logScale: boolean;
  smoothing: number;
  /** Reads a custom property of the chart's element (colours follow the theme at draw time). */
  cssVar: (name: string) => string;
  /** Whether x follows the data (false while zoomed: new data keeps the zoom). */
  followX: () => boolean;
  hooks: uPlot.Hooks.Arrays;
}

export function chartOptions(input: OptionsInput): uPlot.Options {
  const { defs, cssVar } = input;
  const columns = columnsOf(defs);
  const color = (def: number) => {
    const c = defs[def]!.color ?? PALETTE[def % PALETTE.length]!;
    return c.startsWith('--') ? cssVar(c) : c;
  };
  const series: uPlot.Series[] = [{ label: 'step' }];
  const bands: uPlot.Band[] = [];
  columns.forEach(({ def, kind }, i) => {
    const common = { label: `${defs[def]!.label} ${kind}`, spanGaps: true, auto: false, points: { show: false } };
    if (kind === 'max' || kind === 'min') series.push({ ...common, stroke: 'transparent', width: 0 });
    else if (kind === 'raw')
      series.push({ ...common, show: input.smoothing > 0, stroke: () => withAlpha(color(def), 0.3), width: 1 });
    else series.push({ ...common, stroke: () => color(def), width: 1.5 });
    if (kind === 'max') bands.push({ series: [i + 1, i + 2], fill: () => withAlpha(color(def), 0.15) });
  });
  const axis = (): uPlot.Axis => ({
    stroke: () => cssVar('--color-text-muted'),
    grid: { stroke: () => cssVar('--color-border'), width: 1 },
    ticks: { show: false },
  });
  return {
    width: input.width,
    height: input.height,
    legend: { show: false },
    cursor: { drag: { x: true, y: false, setScale: true }, points: { show: false } },
    scales: {
      x: { time: false, auto: () => input.followX() },
      y: { distr: input.logScale ? 3 : 1, log: 10, range: (u) => yRange(u, input.logScale) },
    },
    axes: [axis(), { ...axis(), size: 60, values: (_u, splits) => splits.map(tickLabel) }],
    series,
    bands,
    hooks: input.hooks,
  };
}

/** The y range over the visible rows of the shown series; uPlot's own skips null but not NaN. */
function yRange(u: uPlot, log: boolean): uPlot.Range.MinMax {
  const shown = u.series.flatMap((s, i) => (i > 0 && s.show ? [u.data[i]] : []));
  const [i0, i1] = u.series[1]?.idxs ?? [0, -1];
  const extent = finiteExtent(shown as ArrayLike<number | null>[], i0, i1, log);
  if (!extent) return log ? [1, 10] : [0, 1];
  return log ? uPlot.rangeLog(extent[0], extent[1], 10, true) : uPlot.rangeNum(extent[0], extent[1], 0.1, true);
}
