import { describe, expect, it } from 'vitest';
import {
  SeriesBuffer,
  bucketStepsFor,
  ema,
  finiteExtent,
  hasInnerGaps,
  needsFinerHistory,
  withNulls,
  type HistoryPoint,
} from './series';

const bucket = (step: number, last: number, min = last, max = last): HistoryPoint => ({ step, min, max, last });
const rows = (b: SeriesBuffer, k = 0) => Array.from(b.x, (x, i) => [x, b.values(k)[i]]);

describe('SeriesBuffer', () => {
  it('appends live points and grows by doubling, keeping the rows', () => {
    const b = new SeriesBuffer(1, 16);
    for (let s = 1; s <= 40; s++) b.set(0, s, s * 10);
    expect(b.length).toBe(40);
    expect(b.capacity).toBe(64);
    expect(b.x[39]).toBe(40);
    expect(b.values(0)[0]).toBe(10);
    expect(b.values(0)[39]).toBe(400);
  });

  it('replaces a point sent again for the same step, and inserts a late one in order', () => {
    const b = new SeriesBuffer(1);
    b.set(0, 1, 1);
    b.set(0, 3, 3);
    b.set(0, 3, 30);
    b.set(0, 2, 2);
    expect(rows(b)).toEqual([
      [1, 1],
      [2, 2],
      [3, 30],
    ]);
  });

  it('keeps several series on one step axis, NaN where a series has no value', () => {
    const b = new SeriesBuffer(2);
    b.appendRow(10, [1, 2]);
    b.set(1, 20, 5);
    b.appendRow(20, [4, undefined]);
    b.appendRow(30, [null, 6]);
    expect(Array.from(b.x)).toEqual([10, 20, 30]);
    expect(Array.from(b.values(0))).toEqual([1, 4, NaN]);
    expect(Array.from(b.values(1))).toEqual([2, 5, 6]);
  });

  it('merges a history page that arrives after newer live points, without gap or duplicate', () => {
    const b = new SeriesBuffer(1);
    b.set(0, 2999, 0.9); // live points were subscribed to before the page was fetched
    b.set(0, 3000, 0.8);
    b.set(0, 3001, 0.7);
    b.mergeHistory(0, [bucket(1000, 2, 1.5, 3), bucket(2000, 1, 0.9, 1.4), bucket(3000, 0.85, 0.8, 0.95)]);
    expect(rows(b)).toEqual([
      [1000, 2],
      [2000, 1],
      [3000, 0.85],
      [3001, 0.7],
    ]);
    expect(Array.from(b.mins(0))).toEqual([1.5, 0.9, 0.8, 0.7]);
    expect(Array.from(b.maxs(0))).toEqual([3, 1.4, 0.95, 0.7]);
  });

  it('replaces coarse buckets with a finer page within its range only', () => {
    const b = new SeriesBuffer(1);
    b.mergeHistory(
      0,
      [100, 200, 300, 400].map((s) => bucket(s, s)),
    );
    b.mergeHistory(
      0,
      [150, 175, 200, 225, 250].map((s) => bucket(s, -s)),
      { from: 101, to: 300 },
    );
    expect(rows(b)).toEqual([
      [100, 100],
      [150, -150],
      [175, -175],
      [200, -200],
      [225, -225],
      [250, -250],
      [400, 400],
    ]);
  });

  it('merges one series without touching the others, dropping rows left empty', () => {
    const b = new SeriesBuffer(2, 16);
    b.appendRow(1, [1, 10]);
    b.appendRow(2, [2, NaN]);
    b.appendRow(3, [3, 30]);
    b.mergeHistory(0, [bucket(1, -1), bucket(3, -3)]);
    expect(Array.from(b.x)).toEqual([1, 3]);
    expect(Array.from(b.values(0))).toEqual([-1, -3]);
    expect(Array.from(b.values(1))).toEqual([10, 30]);
  });

  it('grows when a history page does not fit', () => {
    const b = new SeriesBuffer(1, 16);
    b.set(0, 1e6, 1);
    b.mergeHistory(
      0,
      Array.from({ length: 100 }, (_, i) => bucket(i, i)),
    );
    expect(b.length).toBe(101);
    expect(b.capacity).toBeGreaterThanOrEqual(101);
    expect(b.x[100]).toBe(1e6);
    expect(b.values(0)[99]).toBe(99);
  });

  it('tells subscribers of every change and stops after unsubscribe', () => {
    const b = new SeriesBuffer(1);
    let calls = 0;
    const off = b.subscribe(() => calls++);
    b.set(0, 1, 1);
    b.mergeHistory(0, [bucket(0, 0)]);
    off();
    b.set(0, 2, 2);
    expect(calls).toBe(2);
    expect(b.version).toBe(3);
  });
});

describe('smoothing', () => {
  it('debiases the EMA like TensorBoard', () => {
    expect(Array.from(ema([1, 1, 1], 0.9))).toEqual([1, 1, 1].map(() => expect.closeTo(1, 12)));
    const [a, b] = ema([2, 4], 0.5);
    expect(a).toBeCloseTo(2, 12);
    expect(b).toBeCloseTo((0.5 * 0.5 * 2 + 0.5 * 4) / (1 - 0.25), 12); // (0.25·2 + 0.5·4) / 0.75
    expect(Array.from(ema([3, 5], 0))).toEqual([3, 5]);
  });

  it('passes gaps through without moving the average', () => {
    expect(Array.from(ema([2, NaN, 2], 0.6))).toEqual([expect.closeTo(2, 12), NaN, expect.closeTo(2, 12)]);
  });

  it('keeps the buffer’s smoothed series equal to a full recomputation as points arrive', () => {
    const b = new SeriesBuffer(1, 16);
    const values: number[] = [];
    for (let s = 0; s < 50; s++) {
      const v = Math.sin(s) + s / 10;
      values.push(v);
      b.set(0, s, v);
      if (s % 7 === 0) b.smoothed(0, 0.8);
    }
    b.set(0, 49, 100); // the newest point sent again
    values[49] = 100;
    expect(Array.from(b.smoothed(0, 0.8))).toEqual(Array.from(ema(values, 0.8)));
    b.set(0, 10, -5); // an old one corrected
    values[10] = -5;
    expect(Array.from(b.smoothed(0, 0.8))).toEqual(Array.from(ema(values, 0.8)));
    expect(Array.from(b.smoothed(0, 0.3))).toEqual(Array.from(ema(values, 0.3)));
  });
});

describe('finer history', () => {
  it('asks for finer history once a zoomed range shows fewer points than wanted', () => {
    expect(needsFinerHistory({ from: 0, to: 100_000 }, 100, 200)).toBe(false);
    expect(needsFinerHistory({ from: 40_000, to: 50_000 }, 100, 200)).toBe(true);
    expect(needsFinerHistory({ from: 40_000, to: 40_050 }, 1, 200)).toBe(false); // raw already
  });

  it('sizes buckets for the range', () => {
    expect(bucketStepsFor({ from: 0, to: 100_000 }, 1000)).toBe(100);
    expect(bucketStepsFor({ from: 0, to: 500 }, 1000)).toBe(1);
  });
});

describe('column helpers', () => {
  it('finds the extent of finite values, positive ones for a log scale', () => {
    expect(
      finiteExtent(
        [
          [NaN, 2, -1],
          [5, null, NaN],
        ],
        0,
        2,
      ),
    ).toEqual([-1, 5]);
    expect(
      finiteExtent(
        [
          [NaN, 2, -1],
          [5, null, NaN],
        ],
        0,
        2,
        true,
      ),
    ).toEqual([2, 5]);
    expect(finiteExtent([[NaN, NaN]], 0, 1)).toBeNull();
    expect(finiteExtent([[1, 2, 3, 4]], 1, 2)).toEqual([2, 3]);
  });

  it('spots inner gaps and turns NaN into null', () => {
    expect(hasInnerGaps([NaN, 1, 2, NaN])).toBe(false);
    expect(hasInnerGaps([1, NaN, 2])).toBe(true);
    expect(withNulls([1, NaN])).toEqual([1, null]);
  });
});
