import type { Batch } from '@tirl/core';
import { maskAt, shapeOf } from './batch-views';

export interface WhitenOptions {
  /** `unbiased` (verl `masked_var`, Bessel) or `population` (OpenRLHF). */
  variance: 'unbiased' | 'population';
  /** Added inside the square root: `(x − μ)·rsqrt(var + eps)`. */
  eps: number;
  /** Subtract the mean (default true); false only divides. */
  shiftMean?: boolean;
}

/**
 * Token-level whitening over every trained token of the batch (length-weighted, pad rows excluded).
 * Returns 0 off the loss mask.
 */
export function maskedWhiten(batch: Batch, values: ArrayLike<number>, options: WhitenOptions): Float64Array {
  const [B, T] = shapeOf(batch);
  let n = 0;
  let sum = 0;
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
    const m = maskAt(batch, b, t);
    n += m;
    sum += m * values[b * T + t];
  }
  const out = new Float64Array(B * T);
  if (n === 0) return out;
  const mean = sum / n;
  let ss = 0;
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) ss += maskAt(batch, b, t) * (values[b * T + t] - mean) ** 2;
  const denom = options.variance === 'unbiased' ? n - 1 : n;
  const variance = denom > 0 ? ss / denom : 0;
  const scale = 1 / Math.sqrt(variance + options.eps);
  const shift = options.shiftMean === false ? 0 : mean;
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
    if (maskAt(batch, b, t) > 0) out[b * T + t] = (values[b * T + t] - shift) * scale;
  }
  return out;
}

/** The whitening options of an estimator (`whitenFields`). */
export interface WhitenChoice {
  whiten: boolean;
  whitenVariance: 'unbiased' | 'population';
  whitenEps: number;
}

/** `values` whitened over the batch's trained tokens when `o.whiten`, else `values` as they are. */
export function whitenIf(batch: Batch, values: Float64Array, o: WhitenChoice): Float64Array {
  return o.whiten ? maskedWhiten(batch, values, { variance: o.whitenVariance, eps: o.whitenEps }) : values;
}
