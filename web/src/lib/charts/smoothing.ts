/** Running state of a debiased exponential moving average. */
export interface EmaState {
  /** The biased accumulator. */
  acc: number;
  /** Finite values seen. */
  count: number;
}

export const createEma = (): EmaState => ({ acc: 0, count: 0 });

export function copyEma(to: EmaState, from: EmaState): void {
  to.acc = from.acc;
  to.count = from.count;
}

/**
 * One step of TensorBoard's smoothing: an EMA started at 0 and divided by (1 - weight^n), so the
 * first values are not pulled towards 0. A non-finite value passes through and leaves the state.
 */
export function emaStep(state: EmaState, value: number, weight: number): number {
  if (!Number.isFinite(value)) return value;
  state.acc = state.acc * weight + (1 - weight) * value;
  state.count++;
  return weight === 1 ? state.acc : state.acc / (1 - weight ** state.count);
}

/** `values` smoothed with `weight` (0 = none, up to 0.99), into `out` when given. */
export function ema(values: ArrayLike<number>, weight: number, out = new Float64Array(values.length)): Float64Array {
  const state = createEma();
  for (let i = 0; i < values.length; i++) out[i] = emaStep(state, values[i]!, weight);
  return out;
}
