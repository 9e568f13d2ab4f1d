// Live chart benchmark, in headless Chromium on the app's own LiveChart + SeriesBuffer + uPlot code.
//   npm run bench:chart -- [--points 166002] [--series 3] [--seconds 60] [--hz 10]
// 1. Initial render of a history page (uPlot created and drawn once).          goal ≤ 300 ms
// 2. Live appends at 10 Hz for 60 s: per-update cost of setData on one instance, and JS heap growth
//    after forced GC.                                                          goal < 20 MB
// Baseline in the same run: the same updates by re-creating the uPlot instance each time.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { launchBrowser } from '../api/test/browser.js';

const { values } = parseArgs({
  options: {
    points: { type: 'string', default: '166002' },
    series: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '60' },
    hz: { type: 'string', default: '10' },
    baseline: { type: 'string', default: '30' },
    screenshot: { type: 'string' },
  },
});
const totalPoints = Number(values.points);
const seriesCount = Number(values.series);
const perSeries = Math.round(totalPoints / seriesCount);
const appends = Number(values.seconds) * Number(values.hz);

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'llmt-chart-bench-'));
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];

const bundleStart = performance.now();
await build({
  root: join(root, 'bench/chart-page'),
  configFile: false,
  logLevel: 'warn',
  plugins: [svelte({ configFile: false })],
  resolve: { alias: { $lib: join(root, 'web/src/lib') } },
  build: { outDir: dir, emptyOutDir: true, minify: true },
});
console.log(`bundled bench/chart-page with vite in ${((performance.now() - bundleStart) / 1000).toFixed(1)} s`);

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = createServer((req, res) => {
  const path = normalize(join(dir, req.url === '/' ? 'index.html' : req.url!.split('?')[0]));
  if (!path.startsWith(dir)) return void res.writeHead(403).end();
  res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
  createReadStream(path)
    .on('error', () => res.end())
    .pipe(res);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

const { browser, close: closeBrowser } = await launchBrowser({ viewport: { width: 1280, height: 900 } });

interface Timed {
  ms: number;
  inkedPixels: number;
}
interface Bench {
  fill(seriesCount: number, points: number, band: boolean): number;
  render(smoothing: number): Promise<Timed>;
  append(): void;
  frameCosts(): number[];
  zooms(): [number, number][];
  rows(): number;
  recreate(appends: number, smoothing: number): Timed;
  setData(appends: number, smoothing: number): Timed;
}
type BenchWindow = { bench: Bench };

async function openPage() {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => 'bench' in window);
  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  };
  /** Fills the buffer, collects the page's garbage, then times the first LiveChart render. */
  const render = async (series: number, points: number, band: boolean, smoothing: number) => {
    const fillMs = await page.evaluate(([s, n, b]) => (window as unknown as BenchWindow).bench.fill(s, n, b), [
      series,
      points,
      band,
    ] as const);
    await heap();
    const r = await page.evaluate((w) => (window as unknown as BenchWindow).bench.render(w), smoothing);
    return { ...r, fillMs };
  };
  return { page, heap, render };
}

try {
  // 1a. One series, all points raw: the plain case.
  {
    const { page, render } = await openPage();
    const r = await render(1, totalPoints, false, 0);
    console.log(
      `initial render, 1 series × ${totalPoints.toLocaleString('en')} raw points: ${r.ms.toFixed(1)} ms` +
        ` (${r.inkedPixels} pixels inked; buffer fill from a history page ${r.fillMs.toFixed(1)} ms)   goal ≤ 300 ms`,
    );
    // A drag across the middle of the plot must reach onZoom once, with steps inside the data.
    const box = (await page.locator('#live .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForTimeout(50);
    const zooms = await page.evaluate(() => (window as unknown as BenchWindow).bench.zooms());
    console.log(
      `drag-zoom check: onZoom calls ${JSON.stringify(zooms.map(([a, b]) => [Math.round(a), Math.round(b)]))}`,
    );
    await page.close();
  }

  // 1b + 2. Several series with min/max bands and smoothing 0.6, then live appends.
  const { page, heap, render } = await openPage();
  const r = await render(seriesCount, perSeries, true, 0.6);
  console.log(
    `initial render, ${seriesCount} series × ${perSeries.toLocaleString('en')} points ` +
      `(${(seriesCount * perSeries).toLocaleString('en')}; min/max band + EMA 0.6, ${seriesCount * 4} uPlot series): ` +
      `${r.ms.toFixed(1)} ms (${r.inkedPixels} pixels inked; buffer fill ${r.fillMs.toFixed(1)} ms)   goal ≤ 300 ms`,
  );

  const before = await heap();
  const interval = 1000 / Number(values.hz);
  const start = performance.now();
  for (let i = 0; i < appends; i++) {
    await page.evaluate(() => (window as unknown as BenchWindow).bench.append());
    const next = start + (i + 1) * interval;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  const seconds = (performance.now() - start) / 1000;
  await page.waitForTimeout(200);
  const after = await heap();
  const costs = await page.evaluate(() => (window as unknown as BenchWindow).bench.frameCosts());
  const rows = await page.evaluate(() => (window as unknown as BenchWindow).bench.rows());
  console.log(
    `live: ${appends} appends in ${seconds.toFixed(1)} s (${(appends / seconds).toFixed(1)} Hz), ` +
      `${costs.length} frames drawn, ${rows.toLocaleString('en')} rows at the end`,
  );
  console.log(
    `  update (setData + draw in its frame): p50 ${quantile(costs, 0.5).toFixed(1)} ms, ` +
      `p95 ${quantile(costs, 0.95).toFixed(1)} ms, max ${Math.max(...costs).toFixed(1)} ms`,
  );
  const growth = after.usedSize - before.usedSize;
  const backing =
    before.backingStorageSize !== undefined && after.backingStorageSize !== undefined
      ? `; array buffers ${mb(before.backingStorageSize)} → ${mb(after.backingStorageSize)} MB`
      : '';
  console.log(
    `  JS heap after forced GC: ${mb(before.usedSize)} → ${mb(after.usedSize)} MB, ` +
      `growth ${mb(growth)} MB${backing}   goal < 20 MB`,
  );

  // Baseline: the same updates on a chart re-created per append, against setData, timed alike.
  const n = Number(values.baseline);
  if (values.screenshot) await page.screenshot({ path: values.screenshot });
  const recreate = await page.evaluate((a) => (window as unknown as BenchWindow).bench.recreate(a, 0.6), n);
  const setData = await page.evaluate((a) => (window as unknown as BenchWindow).bench.setData(a, 0.6), n);
  console.log(
    `baseline, ${n} updates each, drawn synchronously (${recreate.inkedPixels} / ${setData.inkedPixels} pixels inked):` +
      ` re-create uPlot per append ${recreate.ms.toFixed(1)} ms/update, setData on one instance` +
      ` ${setData.ms.toFixed(1)} ms/update → setData takes ${(setData.ms / recreate.ms).toFixed(2)}× the re-create time`,
  );
} finally {
  await closeBrowser();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
