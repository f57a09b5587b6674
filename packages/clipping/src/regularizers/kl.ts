import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, type ObjectiveInput, type Regularizer, TirlError } from '@tirl/core';
import { z } from 'zod';
import { maskedMeanOf, metricKey } from '../math/host';
import { KL_ESTIMATOR_CHOICES, klEstimate } from '../math/kl';
import { maskOut, rowMeans, validMask } from '../math/tensor';

const NAME = 'kl';
const KL_KEY = metricKey('regularizer', NAME, 'kl');
const SEQ_KEY = metricKey('regularizer', NAME, 'sequences');

const schema = z
  .object({
    /**
     * Estimator of KL(π‖π_ref) from δ = ℓ − ℓ_ref: k1/kl, abs, k2/mse, k3/low-var-kl, each also with `+`
     * (value of the estimator, gradient of k2). Default k3 (GRPO, verl `low_var_kl`); use k1 in the reward.
     */
    estimator: z.enum(KL_ESTIMATOR_CHOICES).default('k3'),
    /** Clamp k3 as verl does (κ to ±20, value to ±10). TRL's k3 has no clamps (false). */
    clampK3: z.boolean().default(true),
    /** `loss`: + β·agg(kl(ℓ, ℓ_ref)) (GRPO). `reward`: r_t ← r_t − β·kl(ℓ_old, ℓ_ref)_t before advantages (PPO). */
    placement: z.enum(['loss', 'reward']).default('loss'),
    /** β (verl kl_loss_coef / kl_coef: 0.001; DeepSeekMath: 0.04). */
    coef: z.number().min(0).default(0.001),
    /** `fixed`, or `adaptive`: β ← β·(1 + clip(KL/target − 1, ±0.2)·n/horizon) after each step (arXiv 1909.08593). */
    controller: z.enum(['fixed', 'adaptive']).default('fixed'),
    /** Adaptive target KL (verl: 0.1). */
    targetKl: z.number().positive().default(0.1),
    /** Adaptive horizon (verl: 10000). */
    horizon: z.number().positive().default(10000),
  })
  .strict();

/**
 * KL to the reference policy, in the loss or in the reward, with a fixed or adaptive coefficient.
 * The adaptive controller reads `regularizer/kl/kl` (batch mean of per-sequence token-mean KL) and
 * `regularizer/kl/sequences` from the step's metrics, falling back to its own last measurement.
 */
export const kl = definePlugin({
  kind: 'regularizer',
  name: NAME,
  summary: 'KL to the reference policy (k1/k2/k3/abs/+), in the loss or the reward, fixed or adaptive β',
  paper: { title: 'Fine-Tuning Language Models from Human Preferences', arxiv: '1909.08593', section: 'adaptive KL controller; estimators: Schulman, "Approximating KL divergence" (2020)' },
  requires: ['refLogProbs'],
  options: schema,
  create: (o) => {
    let coef = o.coef;
    let last = { kl: 0, sequences: 0 };

    /** `[B, T]` estimate on valid tokens and the per-sequence mean measurement. */
    const estimate = (logProbs: tf.Tensor2D, refLogProbs: tf.Tensor2D, mask: tf.Tensor2D) => {
      const delta = maskOut(tf.sub(logProbs, refLogProbs), mask) as tf.Tensor2D;
      const value = tf.mul(klEstimate(o.estimator, delta, o.clampK3), mask) as tf.Tensor2D;
      const rowMask = tf.cast(tf.greater(tf.sum(mask, 1), 0), 'float32');
      const sequences = tf.sum(rowMask).dataSync()[0];
      const perRow = rowMeans(value, mask);
      last = { kl: sequences === 0 ? 0 : maskedMeanOf(perRow, rowMask), sequences };
      return value;
    };

    const instance: Regularizer = {
      update(metrics) {
        if (o.controller !== 'adaptive') return;
        const measured = metrics[KL_KEY] ?? last.kl;
        const n = metrics[SEQ_KEY] ?? last.sequences;
        const error = Math.min(Math.max(measured / o.targetKl - 1, -0.2), 0.2);
        coef *= 1 + (error * n) / o.horizon;
      },
      state: () => ({ coef }),
      loadState(state) {
        const value = (state as { coef?: unknown })?.coef;
        if (typeof value !== 'number') throw new TirlError('regularizer/kl: state must be { coef: number }', 'invalid-data');
        coef = value;
      },
    };
    if (o.placement === 'loss') {
      instance.perToken = (input: ObjectiveInput) => {
        if (!input.refLogProbs) throw missingRef();
        return tf.tidy(() => {
          const mask = validMask(input.lossMask, input.batch);
          const value = estimate(maskOut(input.logProbs, mask), maskOut(input.refLogProbs!, mask), mask);
          return {
            perToken: tf.mul(value, coef) as tf.Tensor2D,
            metrics: { [KL_KEY]: last.kl, [SEQ_KEY]: last.sequences, [metricKey('regularizer', NAME, 'coef')]: coef },
          };
        });
      };
    } else {
      /** Penalty β·kl(ℓ_old, ℓ_ref) per token, to subtract from the token rewards. */
      instance.rewardPenalty = ({ batch, refLogProbs }) => {
        if (!refLogProbs) throw missingRef();
        return tf.tidy(() => {
          const mask = validMask(batch.lossMask, batch);
          return tf.mul(estimate(maskOut(batch.oldLogProbs, mask), maskOut(refLogProbs, mask), mask), coef) as tf.Tensor2D;
        });
      };
    }
    return instance;
  },
});

function missingRef(): TirlError {
  return new TirlError('regularizer/kl needs refLogProbs: the trainer must provide them (requires: ["refLogProbs"])', 'missing-input');
}
