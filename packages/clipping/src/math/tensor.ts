import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '@tirl/core';

/** Identity in the forward pass, zero gradient in the backward pass (`sg(x)`, `detach`). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad(((input: tf.Tensor) => ({
    value: input.clone(),
    gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)],
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as T;
}

/** `[B, 1]` 1 for real rows, 0 for pad rows. */
export function rowWeights(batch: Pick<Batch, 'rowKinds'>): tf.Tensor2D {
  const w = batch.rowKinds.map((k) => (k === 'pad' ? 0 : 1));
  return tf.tensor2d(w, [w.length, 1]);
}

/** `[B, T]` the loss mask with pad rows zeroed: the tokens every loss and metric is taken over. */
export function validMask(lossMask: tf.Tensor2D, batch: Pick<Batch, 'rowKinds'>): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.cast(tf.greater(lossMask, 0), 'float32'), rowWeights(batch)) as tf.Tensor2D);
}

/**
 * `x` with every position off `mask` replaced by 0, so that whatever sits there (padding garbage,
 * huge log-probs, NaN) can change neither values nor gradients.
 */
export function maskOut<T extends tf.Tensor>(x: T, mask: tf.Tensor): T {
  return tf.tidy(() => tf.where(tf.greater(mask, 0), x, tf.zerosLike(x)) as T);
}

/** `[B]` Σ_t x·m per row. */
export function rowSums(x: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(x, mask), 1) as tf.Tensor1D);
}

/** `[B]` Σ_t x·m / max(Σ_t m, 1) per row (0 for a row without tokens). */
export function rowMeans(x: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.div(rowSums(x, mask), tf.maximum(tf.sum(mask, 1), 1)) as tf.Tensor1D);
}

/** `[B, T]` a per-row value `[B]` repeated along the time axis. */
export function broadcastRows(perRow: tf.Tensor1D, like: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.expandDims(perRow, 1), tf.onesLike(like)) as tf.Tensor2D);
}

/** `[B, T]` log(π/π_old) = ℓ − ℓ_old, clamped to ±`clamp` when given (verl clamps at 20 before `exp`). */
export function logRatio(logProbs: tf.Tensor2D, oldLogProbs: tf.Tensor2D, clamp?: number | null): tf.Tensor2D {
  return tf.tidy(() => {
    const d = tf.sub(logProbs, oldLogProbs) as tf.Tensor2D;
    return clamp == null ? d : (tf.clipByValue(d, -clamp, clamp) as tf.Tensor2D);
  });
}
