/**
 * Live metric series for charts: one buffer per chart holds the steps (x) and, for each series, the
 * value drawn (`last`) and the min/max of its bucket, in growable typed arrays. History pages
 * (downsampled buckets) and raw live points merge into it by step: no gaps, no duplicates, a later
 * point for the same step replaces the earlier one. Missing values are NaN (a series may skip steps
 * another series of the same chart has).
 */
import { copyEma, createEma, emaStep, type EmaState } from './smoothing';

export { ema } from './smoothing';

/** One bucket of a downsampled history page; a raw point is a bucket of one (min = max = last). */
export interface HistoryPoint {
  step: number;
  min: number;
  max: number;
  last: number;
}

/** An inclusive range of steps. */
export interface StepRange {
  from: number;
  to: number;
}

interface Smoothed {
  weight: number;
  out: Float64Array;
  /** Rows [0, upTo) of `out` are current; `before` is the EMA state before row upTo - 1. */
  upTo: number;
  state: EmaState;
  before: EmaState;
}

const LAST = 0;
const MIN = 1;
const MAX = 2;

export class SeriesBuffer {
  readonly seriesCount: number;
  #length = 0;
  #x: Float64Array;
  /** Per series three columns: last, min, max. */
  #cols: Float64Array[];
  #smoothed: (Smoothed | null)[];
  #listeners = new Set<() => void>();
  /** Bumped on every change, so a reader can tell whether it has drawn the latest data. */
  version = 0;

  constructor(seriesCount: number, capacity = 1024) {
    this.seriesCount = seriesCount;
    this.#x = new Float64Array(Math.max(16, capacity));
    this.#cols = Array.from({ length: seriesCount * 3 }, () => new Float64Array(this.#x.length));
    this.#smoothed = Array.from({ length: seriesCount }, () => null);
  }

  get length(): number {
    return this.#length;
  }
  get capacity(): number {
    return this.#x.length;
  }
  /** Steps, ascending. Views share memory with the buffer: read them before the next change. */
  get x(): Float64Array {
    return this.#x.subarray(0, this.#length);
  }
  values(k: number): Float64Array {
    return this.#col(k, LAST).subarray(0, this.#length);
  }
  mins(k: number): Float64Array {
    return this.#col(k, MIN).subarray(0, this.#length);
  }
  maxs(k: number): Float64Array {
    return this.#col(k, MAX).subarray(0, this.#length);
  }

  /** Index of the first row whose step is ≥ `step` (length when none). */
  lowerBound(step: number): number {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#x[mid]! < step) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A raw live point of series `k`. */
  set(k: number, step: number, value: number): void {
    const i = this.#rowFor(step);
    this.#write(k, i, value, value, value);
    this.#changed(k, i);
  }

  /** Raw live points of several series at one step; NaN, null or a missing entry leaves a series as is. */
  appendRow(step: number, values: ArrayLike<number | null | undefined>): void {
    const i = this.#rowFor(step);
    for (let k = 0; k < this.seriesCount; k++) {
      const v = values[k];
      if (v == null || Number.isNaN(v)) continue;
      this.#write(k, i, v, v, v);
      this.#changed(k, i);
    }
  }

  /**
   * A history page of series `k` (ascending steps) replaces that series within `range` (by default
   * the page's first to last step); rows outside it, such as live points newer than the page, stay.
   */
  mergeHistory(k: number, points: readonly HistoryPoint[], range?: StepRange): void {
    if (points.length === 0 && !range) return;
    const from = range?.from ?? points[0]!.step;
    const to = range?.to ?? points[points.length - 1]!.step;
    const n = this.#length;
    const start = this.lowerBound(from);
    let end = start;
    while (end < n && this.#x[end]! <= to) end++;
    let p0 = 0;
    while (p0 < points.length && points[p0]!.step < from) p0++;
    let p1 = points.length;
    while (p1 > p0 && points[p1 - 1]!.step > to) p1--;

    // The range's rows merged with the page, in order: the source row (or -1) and the page point (or
    // -1) of each. A row that keeps no value in any series is dropped.
    const most = end - start + p1 - p0;
    const fromRow = new Int32Array(most);
    const fromPoint = new Int32Array(most);
    const oldX = this.#x;
    let rows = 0;
    for (let i = start, j = p0; i < end || j < p1;) {
      const xi = i < end ? oldX[i]! : Infinity;
      if (j < p1 && points[j]!.step <= xi) {
        fromRow[rows] = points[j]!.step === xi ? i++ : -1;
        fromPoint[rows++] = j++;
      } else {
        if (this.#hasOtherValue(i, k)) {
          fromRow[rows] = i;
          fromPoint[rows++] = -1;
        }
        i++;
      }
    }

    // Copies of the range and of the rows after it: the merged rows are written over both.
    const oldCols = this.#cols;
    const ranged = oldCols.map((c) => c.slice(start, end));
    const rangedX = oldX.slice(start, end);
    const tailX = oldX.slice(end, n);
    const tail = oldCols.map((c) => c.slice(end, n));
    const newLength = start + rows + tailX.length;
    if (newLength > this.capacity) {
      const grown = this.#grown(newLength);
      this.#x = grown.x;
      this.#cols = grown.cols;
    }
    const x = this.#x;
    const cols = this.#cols;
    for (let c = 0; c < cols.length; c++) {
      const col = cols[c]!;
      const src = ranged[c]!;
      for (let r = 0; r < rows; r++) {
        const from = fromRow[r]!;
        col[start + r] = from < 0 ? NaN : src[from - start]!;
      }
    }
    const [last, min, max] = [this.#col(k, LAST), this.#col(k, MIN), this.#col(k, MAX)];
    for (let r = 0; r < rows; r++) {
      const row = start + r;
      const j = fromPoint[r]!;
      if (j < 0) {
        x[row] = rangedX[fromRow[r]! - start]!;
        last[row] = min[row] = max[row] = NaN;
      } else {
        const p = points[j]!;
        x[row] = p.step;
        last[row] = p.last;
        min[row] = p.min;
        max[row] = p.max;
      }
    }
    x.set(tailX, start + rows);
    for (let c = 0; c < cols.length; c++) cols[c]!.set(tail[c]!, start + rows);
    this.#length = newLength;
    for (let s = 0; s < this.seriesCount; s++) this.#changed(s, start);
  }

  /** Series `k` smoothed by a debiased EMA (TensorBoard's), kept up to date incrementally. */
  smoothed(k: number, weight: number): Float64Array {
    let s = this.#smoothed[k];
    if (!s || s.weight !== weight) {
      s = { weight, out: new Float64Array(this.capacity), upTo: 0, state: createEma(), before: createEma() };
      this.#smoothed[k] = s;
    }
    if (s.out.length < this.capacity) {
      const out = new Float64Array(this.capacity);
      out.set(s.out.subarray(0, s.upTo));
      s.out = out;
    }
    const values = this.#col(k, LAST);
    for (let i = s.upTo; i < this.#length; i++) {
      copyEma(s.before, s.state);
      s.out[i] = emaStep(s.state, values[i]!, weight);
    }
    s.upTo = this.#length;
    return s.out.subarray(0, this.#length);
  }

  #col(k: number, part: number): Float64Array {
    return this.#cols[k * 3 + part]!;
  }

  #hasOtherValue(i: number, k: number): boolean {
    for (let s = 0; s < this.seriesCount; s++) if (s !== k && !Number.isNaN(this.#col(s, LAST)[i]!)) return true;
    return false;
  }

  #write(k: number, i: number, last: number, min: number, max: number): void {
    this.#col(k, LAST)[i] = last;
    this.#col(k, MIN)[i] = min;
    this.#col(k, MAX)[i] = max;
  }

  /** The row of `step`, inserted (all series NaN) when there is none. */
  #rowFor(step: number): number {
    const n = this.#length;
    const i = n === 0 || step > this.#x[n - 1]! ? n : this.lowerBound(step);
    if (i < n && this.#x[i] === step) return i;
    if (n === this.capacity) {
      const { x, cols } = this.#grown(n + 1);
      this.#x = x;
      this.#cols = cols;
    }
    this.#x.copyWithin(i + 1, i, n);
    this.#x[i] = step;
    for (const c of this.#cols) {
      c.copyWithin(i + 1, i, n);
      c[i] = NaN;
    }
    this.#length = n + 1;
    if (i < n) for (let s = 0; s < this.seriesCount; s++) this.#changed(s, i);
    return i;
  }

  /** New arrays with room for at least `min` rows (amortised doubling), holding the current rows. */
  #grown(min: number): { x: Float64Array; cols: Float64Array[] } {
    const capacity = Math.max(min, this.capacity * 2);
    const x = new Float64Array(capacity);
    x.set(this.#x.subarray(0, this.#length));
    const cols = this.#cols.map((c) => {
      const grown = new Float64Array(capacity);
      grown.set(c.subarray(0, this.#length));
      return grown;
    });
    return { x, cols };
  }

  /** Series `k` changed from row `i` on: smoothing restarts there, listeners hear of it. */
  #changed(k: number, i: number): void {
    const s = this.#smoothed[k];
    if (s && i < s.upTo) {
      // The state before the last row is kept, so a change to the newest row costs one step.
      if (i === s.upTo - 1) copyEma(s.state, s.before);
      else copyEma(s.state, createEma());
      s.upTo = i === s.upTo - 1 ? i : 0;
    }
    this.version++;
    for (const listener of this.#listeners) listener();
  }
}

/**
 * Whether a zoomed range needs a finer history page: the loaded buckets (`bucketSteps` steps each)
 * give fewer than `minPoints` points across it, and the data is not raw already.
 */
export function needsFinerHistory(range: StepRange, bucketSteps: number, minPoints = 200): boolean {
  return bucketSteps > 1 && (range.to - range.from) / bucketSteps < minPoints;
}

/** The bucket size (in steps, ≥ 1) that gives about `points` points across `range`. */
export function bucketStepsFor(range: StepRange, points = 1000): number {
  return Math.max(1, Math.floor((range.to - range.from) / points));
}

/** [min, max] of the finite values of `columns` in rows [i0, i1], positive ones only for a log scale. */
export function finiteExtent(
  columns: readonly ArrayLike<number | null>[],
  i0: number,
  i1: number,
  positiveOnly = false,
): [number, number] | null {
  let min = Infinity;
  let max = -Infinity;
  for (const col of columns) {
    const end = Math.min(i1, col.length - 1);
    for (let i = Math.max(0, i0); i <= end; i++) {
      const v = col[i];
      if (v == null || !(positiveOnly ? v > 0 : v === v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? [min, max] : null;
}

/** Whether NaN lies between a column's first and last value (uPlot needs null there, not NaN). */
export function hasInnerGaps(column: ArrayLike<number>): boolean {
  let first = 0;
  while (first < column.length && Number.isNaN(column[first])) first++;
  let last = column.length - 1;
  while (last > first && Number.isNaN(column[last])) last--;
  for (let i = first; i < last; i++) if (Number.isNaN(column[i])) return true;
  return false;
}

/** A copy with null for NaN, for a sparse series (uPlot's decimation skips nulls, not NaN). */
export function withNulls(column: ArrayLike<number>): (number | null)[] {
  return Array.from(column, (v) => (Number.isNaN(v) ? null : v));
}
