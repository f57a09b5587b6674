import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { maskedMeanOf, metricKey } from '../math/host';
import { applyRolloutCorrection, cleanInput } from '../math/objective-input';
import { logRatio } from '../math/tensor';
import { logRatioClampField, rolloutCorrectionField, surrogateMetrics } from '../math/objective-fields';

const NAME = 'sapo';

/**
 * SAPO: a smooth gate instead of the hard clip, L = −A·f(r), f(r) = σ(τ(r − 1))·4/τ with τ = tauPos for
 * A > 0 and tauNeg otherwise. Gradient −A·4σ(1 − σ)·r·∇ℓ: equal to the policy gradient at r = 1,
 * decaying smoothly (never to exactly 0) as r leaves 1. Defined with seq-mean-token-mean aggregation.
 */
export const sapo = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'SAPO: soft sigmoid gate on the token ratio with separate temperatures for A > 0 and A ≤ 0',
  paper: { title: 'Soft Adaptive Policy Optimization', arxiv: '2511.20347', section: 'τ_pos = 1.0, τ_neg = 1.05' },
  options: z
    .object({
      /** Gate temperature for A > 0 (paper: 1.0). */
      tauPos: z.number().positive().default(1),
      /** Gate temperature for A ≤ 0, larger so the gate decays faster (paper: 1.05). */
      tauNeg: z.number().positive().default(1.05),
      /** |ℓ − ℓ_old| is clamped to this before exp (verl: 20). */
      logRatioClamp: logRatioClampField,
      rolloutCorrection: rolloutCorrectionField,
    })
    .strict(),
  create: (o) => ({
    requiredAggregation: 'seq-mean-token-mean',
    perToken(input) {
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const ratio = tf.exp(logRatio(clean.logProbs, clean.oldLogProbs, o.logRatioClamp));
        const tau = tf.where(tf.greater(clean.advantages, 0), tf.fill(ratio.shape, o.tauPos), tf.fill(ratio.shape, o.tauNeg));
        const sig = tf.sigmoid(tf.mul(tau, tf.sub(ratio, 1)));
        const gate = tf.div(tf.mul(sig, 4), tau);
        const raw = tf.mul(tf.neg(tf.mul(clean.advantages, gate)), clean.mask) as tf.Tensor2D;
        const gradientWeight = tf.mul(tf.mul(sig, tf.sub(1, sig)), 4);
        const metrics: Record<string, number> = {
          [metricKey('objective', NAME, 'mean_gate_weight')]: maskedMeanOf(gradientWeight, clean.mask),
          ...surrogateMetrics(NAME, clean),
        };
        return { perToken: applyRolloutCorrection(NAME, raw, o.rolloutCorrection, input, clean, metrics), metrics };
      });
    },
  }),
});
