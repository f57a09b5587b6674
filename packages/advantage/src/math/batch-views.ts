import * as tf from '@tensorflow/tfjs-core';
import { TirlError, type Batch } from '@tirl/core';

/** `x` on a trained token, +0 elsewhere (never -0, so masked outputs compare equal). */
export function onMask(x: number, mask: number): number {
  return mask > 0 ? x * mask : 0;
}

/** `[B, T]` of a batch. */
export function shapeOf(batch: Batch): [number, number] {
  return [batch.ids.shape[0], batch.ids.shape[1]];
}

/** Indices of the rows that are not padding. */
export function realRows(batch: Batch): number[] {
  const rows: number[] = [];
  batch.rowKinds.forEach((kind, b) => {
    if (kind !== 'pad') rows.push(b);
  });
  return rows;
}

/** Loss mask value at `[b, t]`, 0 on pad rows. */
export function maskAt(batch: Batch, b: number, t: number): number {
  if (batch.rowKinds[b] === 'pad') return 0;
  return batch.lossMaskValues[b * batch.ids.shape[1] + t];
}

/** Number of trained tokens of row `b` (0 for pad rows). */
export function trainedTokens(batch: Batch, b: number): number {
  const T = batch.ids.shape[1];
  let n = 0;
  for (let t = 0; t < T; t++) n += maskAt(batch, b, t);
  return n;
}

/** Index of the last trained token of row `b`, or -1 when it has none. */
export function lastTrainedIndex(batch: Batch, b: number): number {
  for (let t = batch.ids.shape[1] - 1; t >= 0; t--) if (maskAt(batch, b, t) > 0) return t;
  return -1;
}

/** `[B, T]` tensor of `valueAt(b, b·T + t) · mask[b, t]`; pad rows and untrained tokens are +0. */
function onMaskTensor(batch: Batch, valueAt: (b: number, i: number) => number): tf.Tensor2D {
  const [B, T] = shapeOf(batch);
  const out = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    if (batch.rowKinds[b] === 'pad') continue;
    for (let i = b * T; i < (b + 1) * T; i++) out[i] = onMask(valueAt(b, i), batch.lossMaskValues[i]);
  }
  return tf.tensor2d(out, [B, T]);
}

/** `[B, T]` tensor `a[b] · mask[b, t]` from one scalar per row; pad rows are 0. */
export function broadcastRows(batch: Batch, perRow: ArrayLike<number>): tf.Tensor2D {
  return onMaskTensor(batch, (b) => perRow[b]);
}

/** `[B, T]` tensor `x[b, t] · mask[b, t]` from row-major host values; pad rows are 0. */
export function maskedTensor(batch: Batch, values: ArrayLike<number>): tf.Tensor2D {
  return onMaskTensor(batch, (_b, i) => values[i]);
}

/** `[B, T]` tensor `(x[b, t] + c[b]) · mask[b, t]`: row-major host values shifted by one number per row; pad rows are 0. */
export function shiftedRows(batch: Batch, values: ArrayLike<number>, perRow: ArrayLike<number>): tf.Tensor2D {
  return onMaskTensor(batch, (b, i) => values[i] + perRow[b]);
}

/** Host copy of a `[B, T]` tensor (row-major). */
export function readMatrix(tensor: tf.Tensor2D): Float32Array {
  return Float32Array.from(tensor.dataSync());
}

/** Per-row mean of `values` over the row's trained tokens (0 for rows without any). */
export function rowMeansOnMask(batch: Batch, values: ArrayLike<number>): Float64Array {
  const [B, T] = shapeOf(batch);
  const out = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let sum = 0;
    let n = 0;
    for (let t = 0; t < T; t++) {
      const m = maskAt(batch, b, t);
      sum += values[b * T + t] * m;
      n += m;
    }
    out[b] = n > 0 ? sum / n : 0;
  }
  return out;
}

/** The row's own trajectory; throws for pad rows, which callers must skip. */
export function trajectoryOf(batch: Batch, b: number, origin: string) {
  const t = batch.trajectories[b];
  if (!t) throw new TirlError(`${origin}: row ${b} is a pad row and has no trajectory; skip rows whose rowKinds is 'pad'`, 'invalid-data');
  return t;
}
