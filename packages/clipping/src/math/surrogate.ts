import * as tf from '@tensorflow/tfjs-core';

/** A ratio bound: one number for every token, or a `[B, T]` tensor of per-token bounds. */
export type Bound = number | tf.Tensor2D;

export interface ClippedSurrogate {
  /** `[B, T]` loss `max(−A·r, −A·clip(r, low, high))`, then the dual clip for A < 0. */
  loss: tf.Tensor2D;
  /** `[B, T]` 1 where the clipped term was chosen (no gradient flows), verl's `pg_clipfrac`. */
  clipped: tf.Tensor2D;
  /** `[B, T]` 1 where the dual clip bound `−A·c` was chosen (A < 0), verl's `pg_clipfrac_lower`. */
  dualClipped: tf.Tensor2D;
}

/**
 * The PPO clipped surrogate (arXiv 1707.06347 eq. 7) with explicit ratio bounds and the optional
 * dual clip (arXiv 1912.09729): for A < 0 the loss is capped at `−A·c`.
 * @param ratio `[B, T]` importance ratio r = π/π_old (differentiable)
 * @param advantages `[B, T]`
 */
export function clippedSurrogate(
  ratio: tf.Tensor2D,
  advantages: tf.Tensor2D,
  low: Bound,
  high: Bound,
  dualClipC: number | null,
): ClippedSurrogate {
  return tf.tidy(() => {
    const unclipped = tf.neg(tf.mul(advantages, ratio));
    const bounded = tf.minimum(tf.maximum(ratio, low), high);
    const clippedTerm = tf.neg(tf.mul(advantages, bounded));
    const ppo = tf.maximum(unclipped, clippedTerm);
    const clipped = tf.cast(tf.greater(clippedTerm, unclipped), 'float32') as tf.Tensor2D;
    if (dualClipC === null) {
      return { loss: ppo as tf.Tensor2D, clipped, dualClipped: tf.zerosLike(clipped) };
    }
    const negative = tf.less(advantages, 0);
    const cap = tf.neg(tf.mul(advantages, dualClipC));
    const loss = tf.where(negative, tf.minimum(ppo, cap), ppo) as tf.Tensor2D;
    const dualClipped = tf.cast(tf.logicalAnd(negative, tf.greater(ppo, cap)), 'float32') as tf.Tensor2D;
    return { loss, clipped, dualClipped };
  });
}
