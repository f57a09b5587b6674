import * as tf from '@tensorflow/tfjs-core';
import type { ObjectiveInput } from '@tirl/core';
import { maskedFraction, maskedMean, metricKey } from './host';
import { type RolloutCorrection, rolloutWeights } from './rollout-correction';
import { maskOut, validMask } from './tensor';

/** The objective inputs with every position off the valid mask set to 0 (call inside `tf.tidy`). */
export interface CleanInput {
  /** `[B, T]` loss mask with pad rows zeroed. */
  mask: tf.Tensor2D;
  logProbs: tf.Tensor2D;
  oldLogProbs: tf.Tensor2D;
  advantages: tf.Tensor2D;
}

export function cleanInput(input: ObjectiveInput): CleanInput {
  const mask = validMask(input.lossMask, input.batch);
  return {
    mask,
    logProbs: maskOut(input.logProbs, mask),
    oldLogProbs: maskOut(input.oldLogProbs, mask),
    advantages: maskOut(input.advantages, mask),
  };
}

/** k1 estimate of the policy change, E[ℓ_old − ℓ] over valid tokens (verl's `ppo_kl`). */
export function approxKl(clean: CleanInput): number {
  const d = tf.tidy(() => tf.sub(clean.oldLogProbs, clean.logProbs));
  const value = maskedMean(d.dataSync(), clean.mask.dataSync());
  d.dispose();
  return value;
}

/**
 * Multiplies `[B, T]` losses by the rollout-correction weights when configured and given, and reports
 * the fraction of tokens whose weight was truncated or masked.
 */
export function applyRolloutCorrection(
  name: string,
  loss: tf.Tensor2D,
  options: RolloutCorrection,
  input: ObjectiveInput,
  clean: CleanInput,
  metrics: Record<string, number>,
): tf.Tensor2D {
  const rolloutLogProbs = input.rolloutLogProbs ? maskOut(input.rolloutLogProbs, clean.mask) : undefined;
  const correction = rolloutWeights(options, clean.oldLogProbs, rolloutLogProbs, clean.mask);
  if (!correction) return loss;
  metrics[metricKey('objective', name, 'rollout_weight_changed')] = maskedFraction(correction.changed, clean.mask);
  return tf.mul(loss, correction.weights) as tf.Tensor2D;
}
