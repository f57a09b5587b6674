import * as tf from '@tensorflow/tfjs-core';
import type { PreferenceSide } from '@tirl/core';
import { TirlError } from '@tirl/core';

/** `[P]` Σ_t m_t·x_t over one side's response tokens; positions off the mask contribute exactly 0. */
export function maskedSum(x: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.where(tf.greater(mask, 0), x, tf.zerosLike(x)), 1) as tf.Tensor1D;
}

/** `[P]` number of response tokens of each pair's side (at least 1, so an empty side cannot divide by 0). */
export function lengths(mask: tf.Tensor2D): tf.Tensor1D {
  return tf.maximum(tf.sum(tf.cast(tf.greater(mask, 0), 'float32'), 1), 1) as tf.Tensor1D;
}

/** `[P]` h = Σ_t m·(ℓ − ℓ_ref): the policy-minus-reference log-ratio of each response (0 reference when `referenceFree`). */
export function logRatio(id: string, side: PreferenceSide, referenceFree = false): tf.Tensor1D {
  if (referenceFree) return maskedSum(side.logProbs, side.lossMask);
  if (!side.refLogProbs) throw new TirlError(`${id}: reference log-probs are missing; the trainer computes them when the plugin requires "refLogProbs"`, 'missing-input');
  return maskedSum(tf.sub(side.logProbs, side.refLogProbs) as tf.Tensor2D, side.lossMask);
}

/** Mean of a `[P]` tensor as a host number. */
export function meanOf(x: tf.Tensor1D): number {
  return x.size ? tf.tidy(() => tf.mean(x).dataSync()[0]) : 0;
}

/** Shared diagnostics: mean implicit rewards, their margin and the share of pairs ranked right. */
export function rewardMetrics(prefix: string, chosen: tf.Tensor1D, rejected: tf.Tensor1D): Record<string, number> {
  return tf.tidy(() => ({
    [`${prefix}/chosen_reward`]: meanOf(chosen),
    [`${prefix}/rejected_reward`]: meanOf(rejected),
    [`${prefix}/reward_margin`]: meanOf(tf.sub(chosen, rejected) as tf.Tensor1D),
    [`${prefix}/accuracy`]: meanOf(tf.cast(tf.greater(chosen, rejected), 'float32') as tf.Tensor1D),
  }));
}
