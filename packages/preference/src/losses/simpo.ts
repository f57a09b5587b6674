import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { lengths, maskedSum, rewardMetrics } from './sides';

const NAME = 'simpo';

/**
 * SimPO (eq. 6): the implicit reward is the length-averaged log-likelihood ℓ̄ = Σ_t m·ℓ_θ / |y| (no
 * reference), with a target margin γ: z = ℓ̄_w − ℓ̄_l − γ/β, L = softplus(−β·z) = −log σ(βℓ̄_w − βℓ̄_l − γ).
 * The margin is stored as γ/β as in the released code (`gamma_beta_ratio`).
 */
export const simpoLoss = definePlugin({
  kind: 'preference',
  name: NAME,
  summary: 'SimPO: reference-free, length-normalised log-likelihood reward with a target margin γ',
  paper: {
    title: 'SimPO: Simple Preference Optimization with a Reference-Free Reward',
    arxiv: '2405.14734',
    section: '§2 eq. 6 (loss); β = 2.0, γ/β = 0.25 (released scripts/simpo_config.py defaults)',
  },
  options: z
    .object({
      /** β (code default 2.0; released recipes 2.0–10). */
      beta: z.number().positive().default(2.0),
      /** γ/β, the margin divided by β (code default 0.25). */
      gammaBetaRatio: z.number().min(0).default(0.25),
      /** ε: L = (1−ε)·softplus(−βz) + ε·softplus(βz). */
      labelSmoothing: z.number().min(0).lt(0.5).default(0),
      /** `sigmoid` (the paper's loss) or `hinge`: relu(1 − β·z). */
      variant: z.enum(['sigmoid', 'hinge']).default('sigmoid'),
      /** Weight of an SFT term −ℓ̄_w (code default 0). */
      sftWeight: z.number().min(0).default(0),
    })
    .strict(),
  create: (o) => ({
    perPair(input) {
      return tf.tidy(() => {
        const avgW = tf.div(maskedSum(input.chosen.logProbs, input.chosen.lossMask), lengths(input.chosen.lossMask)) as tf.Tensor1D;
        const avgL = tf.div(maskedSum(input.rejected.logProbs, input.rejected.lossMask), lengths(input.rejected.lossMask)) as tf.Tensor1D;
        const z = tf.sub(tf.sub(avgW, avgL), o.gammaBetaRatio);
        let perPair: tf.Tensor =
          o.variant === 'hinge'
            ? tf.relu(tf.sub(1, tf.mul(o.beta, z)))
            : tf.add(tf.mul(1 - o.labelSmoothing, tf.softplus(tf.mul(-o.beta, z))), tf.mul(o.labelSmoothing, tf.softplus(tf.mul(o.beta, z))));
        if (o.sftWeight > 0) perPair = tf.sub(perPair, tf.mul(o.sftWeight, avgW));
        const metrics = rewardMetrics(`preference/${NAME}`, tf.mul(o.beta, avgW) as tf.Tensor1D, tf.mul(o.beta, avgL) as tf.Tensor1D);
        return { perPair: perPair as tf.Tensor1D, metrics };
      });
    },
  }),
});
