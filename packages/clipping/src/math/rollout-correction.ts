import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { maskOut } from './tensor';

/**
 * Importance weights for the mismatch between the inference engine that sampled the tokens and the
 * trainer that recomputed `oldLogProbs`: ρ = π_old/π_rollout, per token or per sequence (product of the
 * token ratios), truncated to [min, max] or masked to 0 outside it. Used only when the trainer passes
 * `rolloutLogProbs`; without them the weight is 1.
 */
export const rolloutCorrectionSchema = z
  .object({
    /** `off` (default): no weight. `*-truncate`: clip ρ into [min, max] (TIS). `*-mask`: ρ inside [min, max], 0 outside (MIS). */
    mode: z.enum(['off', 'token-truncate', 'token-mask', 'sequence-truncate', 'sequence-mask']).default('off'),
    /** Lower bound of ρ. */
    min: z.number().min(0).default(0),
    /** Upper bound of ρ; TRL's default cap is 3.0. */
    max: z.number().positive().default(3),
  })
  .strict()
  .refine((o) => o.min < o.max, { message: 'min must be below max', path: ['max'] });

export type RolloutCorrection = z.output<typeof rolloutCorrectionSchema>;

/** The option field every token-level objective carries. */
export const rolloutCorrectionField = rolloutCorrectionSchema.prefault({});

/**
 * `[B, T]` weights (no gradient) and the fraction of valid tokens whose weight was changed or masked.
 * Positions off `mask` get weight 0.
 */
export function rolloutWeights(
  options: RolloutCorrection,
  oldLogProbs: tf.Tensor2D,
  rolloutLogProbs: tf.Tensor2D | undefined,
  mask: tf.Tensor2D,
): { weights: tf.Tensor2D; changed: tf.Tensor2D } | null {
  if (options.mode === 'off' || !rolloutLogProbs) return null;
  return tf.tidy(() => {
    const logW = maskOut(tf.clipByValue(tf.sub(oldLogProbs, rolloutLogProbs), -20, 20), mask) as tf.Tensor2D;
    const perSequence = options.mode.startsWith('sequence');
    const logRho = perSequence ? tf.mul(tf.sum(logW, 1, true), tf.onesLike(logW)) : logW;
    const rho = tf.exp(logRho);
    const inside = tf.logicalAnd(tf.greaterEqual(rho, options.min), tf.lessEqual(rho, options.max));
    const weighted = options.mode.endsWith('mask')
      ? tf.where(inside, rho, tf.zerosLike(rho))
      : tf.clipByValue(rho, options.min, options.max);
    return {
      weights: tf.mul(weighted, mask) as tf.Tensor2D,
      changed: tf.mul(tf.cast(tf.logicalNot(inside), 'float32'), mask) as tf.Tensor2D,
    };
  });
}
