import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/test-app.js';
import { loadLossSeries } from '../../../test/metrics.js';
import { metricHistory } from './metric-history.js';

const N = 1_000_000;
const SPIKE_AT = 654_321;
let app: TestApp;
const runId = randomUUID();
const table = { name: 'run_metrics' as const, x: 'step' };
// A noisy, slowly falling loss with one planted spike.
const value = (step: number) => (step === SPIKE_AT ? 1000 : 2 / Math.sqrt(step) + ((step * 7919) % 101) / 1e4);

beforeAll(async () => {
  app = await startTestApp();
  await loadLossSeries(app.runtime.pool, runId, N, value);
}, 180_000);
afterAll(() => app?.close());

describe('downsampled metric history', () => {
  it('1M points → at most maxPoints, the spike survives, both ends are present', async () => {
    const s = await metricHistory(app.runtime.pool, table, runId, 'loss', 0, 2 ** 31 - 1, 1000);
    expect(s.points.length).toBeLessThanOrEqual(1000);
    expect(s.points.length).toBeGreaterThan(900);
    expect(s.bucketSteps).toBeGreaterThan(1);
    expect(Math.max(...s.points.map((p) => p.max))).toBe(1000);
    expect(s.points[0].step).toBe(1);
    expect(s.points.at(-1)).toMatchObject({ step: N, last: value(N) });
    expect(s.lastStep).toBe(N);
  });

  it("each bucket's min and max equal the raw extremes of its steps", async () => {
    const s = await metricHistory(app.runtime.pool, table, runId, 'loss', 0, 2 ** 31 - 1, 1000);
    const w = s.bucketSteps;
    for (const i of [0, 1, 17, Math.floor(SPIKE_AT / w), s.points.length - 1]) {
      const p = s.points[i];
      const bucket = Math.floor(p.step / w);
      const from = Math.max(1, bucket * w);
      const to = Math.min(N, bucket * w + w - 1);
      const raw = Array.from({ length: to - from + 1 }, (_, k) => value(from + k));
      expect(p.max).toBe(Math.max(...raw));
      expect(p.min).toBe(Math.min(...raw));
    }
  });

  it('a zoomed range small enough comes back raw, step by step', async () => {
    const s = await metricHistory(app.runtime.pool, table, runId, 'loss', SPIKE_AT - 100, SPIKE_AT + 99, 1000);
    expect(s.bucketSteps).toBe(1);
    expect(s.points.map((p) => p.step)).toEqual(Array.from({ length: 200 }, (_, i) => SPIKE_AT - 100 + i));
    expect(s.points[100].last).toBe(1000);
  });
});
