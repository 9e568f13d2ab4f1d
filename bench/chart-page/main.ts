// Benchmark page: the app's LiveChart, SeriesBuffer and uPlot options, driven from bench/chart.bench.ts.
import { flushSync, mount } from 'svelte';
import uPlot from 'uplot';
import '../../web/src/lib/styles/tokens.css';
import LiveChart from '$lib/charts/LiveChart.svelte';
import { chartData, chartOptions, columnsOf, type SeriesDef } from '$lib/charts/live-chart';
import { SeriesBuffer, type HistoryPoint } from '$lib/charts/series';

const loss = (k: number, step: number) => (2.5 + k) * Math.exp(-step / 20_000) + 0.3 + 0.05 * Math.sin(step * 0.37 + k);

/** A history page of `points` buckets of `bucket` steps for series k. */
function history(k: number, points: number, bucket: number): HistoryPoint[] {
  return Array.from({ length: points }, (_, i) => {
    const step = (i + 1) * bucket;
    const v = loss(k, step);
    return { step, last: v, min: v - 0.04, max: v + 0.05 };
  });
}

let source: SeriesBuffer;
let defs: SeriesDef[];
let step = 0;
const frameCosts: number[] = [];
const zooms: [number, number][] = [];

/** Pixels not left blank, to show the chart did draw. */
function inked(canvas: HTMLCanvasElement): number {
  const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
  return n;
}

/** A uPlot instance that draws before the constructor returns (not in a microtask), for timing. */
const drawnNow = (opts: uPlot.Options, data: uPlot.AlignedData, el: HTMLElement) =>
  new uPlot(opts, data, (u, init) => {
    el.appendChild(u.root);
    u.batch(init);
  });

const api = {
  /** Fills a buffer from generated history pages; returns the merge time in ms. */
  fill(seriesCount: number, points: number, band: boolean) {
    defs = Array.from({ length: seriesCount }, (_, k) => ({ label: `loss ${k}`, band }));
    const pages = defs.map((_, k) => history(k, points, 1));
    const t0 = performance.now();
    source = new SeriesBuffer(seriesCount, points);
    for (let k = 0; k < seriesCount; k++) source.mergeHistory(k, pages[k]);
    step = points;
    return performance.now() - t0;
  },

  /** Mounts LiveChart on the filled buffer; ms until uPlot has drawn, and how many pixels it inked. */
  async render(smoothing: number) {
    const t0 = performance.now();
    mount(LiveChart, {
      target: document.getElementById('live')!,
      props: { title: 'loss', series: defs, source, smoothing, height: 300, onZoom: (a, b) => zooms.push([a, b]) },
    });
    flushSync(); // effects run now: uPlot is created and queues its first draw as a microtask
    // Queued after uPlot's: resolves once it has drawn (a timer would add idle time before it fires).
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    const ms = performance.now() - t0;
    return { ms, inkedPixels: inked(document.querySelector('#live canvas')!) };
  },

  /** One live row for every series; the chart draws it on the next frame, whose cost is recorded. */
  append() {
    step++;
    source.appendRow(
      step,
      defs.map((_, k) => loss(k, step)),
    );
    // Queued after the chart's own frame callback: the time since the frame began is the chart's work.
    requestAnimationFrame((frameStart) => frameCosts.push(performance.now() - frameStart));
  },

  frameCosts: () => frameCosts.slice(),
  zooms: () => zooms.slice(),
  rows: () => source.length,

  /** The naive way: a new uPlot instance for every appended row; mean ms per update. */
  recreate(appends: number, smoothing: number) {
    const el = document.getElementById('naive')!;
    const opts = () =>
      chartOptions({
        defs,
        width: el.clientWidth,
        height: 300,
        logScale: false,
        smoothing,
        cssVar: (name) => getComputedStyle(el).getPropertyValue(name).trim(),
        followX: () => true,
        hooks: {},
      });
    const columns = columnsOf(defs);
    let u = drawnNow(opts(), chartData(source, columns, smoothing), el);
    const t0 = performance.now();
    for (let i = 0; i < appends; i++) {
      step++;
      source.appendRow(
        step,
        defs.map((_, k) => loss(k, step)),
      );
      u.destroy();
      u = drawnNow(opts(), chartData(source, columns, smoothing), el);
    }
    const ms = (performance.now() - t0) / appends;
    const pixels = inked(el.querySelector('canvas')!);
    u.destroy();
    return { ms, inkedPixels: pixels };
  },

  /** The same number of updates through setData on one instance, timed the same way. */
  setData(appends: number, smoothing: number) {
    const el = document.getElementById('naive')!;
    const columns = columnsOf(defs);
    const u = drawnNow(
      chartOptions({
        defs,
        width: el.clientWidth,
        height: 300,
        logScale: false,
        smoothing,
        cssVar: (name) => getComputedStyle(el).getPropertyValue(name).trim(),
        followX: () => true,
        hooks: {},
      }),
      chartData(source, columns, smoothing),
      el,
    );
    const t0 = performance.now();
    for (let i = 0; i < appends; i++) {
      step++;
      source.appendRow(
        step,
        defs.map((_, k) => loss(k, step)),
      );
      u.batch(() => u.setData(chartData(source, columns, smoothing)));
    }
    const ms = (performance.now() - t0) / appends;
    const pixels = inked(el.querySelector('canvas')!);
    u.destroy();
    return { ms, inkedPixels: pixels };
  },
};

(window as unknown as { bench: typeof api }).bench = api;
