import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { lengths, logRatio, rewardMetrics } from './sides';

const NAME = 'dpo';

/**
 * DPO (eq. 7): h = Σ_t m·(ℓ_θ − ℓ_ref) per response (sums, not means), Δ = h_w − h_l,
 * L = softplus(−βΔ) = −log σ(βΔ). Variants of the reference code base: `cdpo` (label smoothing ε,
 * eric-mitchell), `robust` (TRL), `ipo-sum` (eric-mitchell IPO on sums), `ipo-mean` (TRL IPO on means).
 */
export const dpoLoss = definePlugin({
  kind: 'preference',
  name: NAME,
  summary: 'DPO: Bradley–Terry loss on the policy/reference log-ratios of the chosen and rejected responses',
  paper: {
    title: 'Direct Preference Optimization: Your Language Model is Secretly a Reward Model',
    arxiv: '2305.18290',
    section: '§4 eq. 7 (loss); β = 0.1 (reference code config/loss/dpo.yaml, README "0.1–0.5")',
  },
  requires: ['refLogProbs'],
  options: z
    .object({
      /** β, the KL strength (reference code examples: 0.1). */
      beta: z.number().positive().default(0.1),
      /** `sigmoid` = DPO; `cdpo` = (1−ε)·softplus(−βΔ) + ε·softplus(βΔ); `robust` = TRL's ((1−ε)·softplus(−βΔ) − ε·softplus(βΔ))/(1−2ε); `ipo-sum` = (Δ − 1/(2β))²; `ipo-mean` = IPO on length-averaged log-ratios. */
      variant: z.enum(['sigmoid', 'cdpo', 'robust', 'ipo-sum', 'ipo-mean']).default('sigmoid'),
      /** ε of `cdpo` / `robust` (must be < 0.5). */
      labelSmoothing: z.number().min(0).lt(0.5).default(0),
      /** Drop the reference: h = Σ_t m·ℓ_θ. */
      referenceFree: z.boolean().default(false),
    })
    .strict(),
  create: (o) => ({
    perPair(input) {
      return tf.tidy(() => {
        const hw = logRatio(`preference/${NAME}`, input.chosen, o.referenceFree);
        const hl = logRatio(`preference/${NAME}`, input.rejected, o.referenceFree);
        const delta = tf.sub(hw, hl);
        const eps = o.labelSmoothing;
        let perPair: tf.Tensor;
        if (o.variant === 'sigmoid') perPair = tf.softplus(tf.mul(-o.beta, delta));
        else if (o.variant === 'cdpo') perPair = tf.add(tf.mul(1 - eps, tf.softplus(tf.mul(-o.beta, delta))), tf.mul(eps, tf.softplus(tf.mul(o.beta, delta))));
        else if (o.variant === 'robust') {
          perPair = tf.div(tf.sub(tf.mul(1 - eps, tf.softplus(tf.mul(-o.beta, delta))), tf.mul(eps, tf.softplus(tf.mul(o.beta, delta)))), 1 - 2 * eps);
        } else {
          const d = o.variant === 'ipo-sum' ? delta : tf.sub(tf.div(hw, lengths(input.chosen.lossMask)), tf.div(hl, lengths(input.rejected.lossMask)));
          perPair = tf.square(tf.sub(d, 1 / (2 * o.beta)));
        }
        const metrics = rewardMetrics(`preference/${NAME}`, tf.mul(o.beta, hw) as tf.Tensor1D, tf.mul(o.beta, hl) as tf.Tensor1D);
        return { perPair: perPair as tf.Tensor1D, metrics };
      });
    },
  }),
});
