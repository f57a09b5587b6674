import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, TirlError, type PreferenceSide } from '@tirl/core';
import { z } from 'zod';
import { maskedSum, meanOf, rewardMetrics } from './sides';

const NAME = 'tgdpo';

function guidanceOf(side: PreferenceSide, which: string): tf.Tensor2D {
  if (!side.guidance) {
    throw new TirlError(
      `preference/${NAME}: the ${which} responses carry no token guidance ρ = log π_RM − log π_ref. Give "chosenGuidance" and "rejectedGuidance" ` +
        '(one number per response token) in each sample\'s "preference", or use preference/dpo.',
      'missing-input',
    );
  }
  return side.guidance;
}

/**
 * TGDPO: DPO with a per-token β shaped by a token reward ρ (the guidance, ρ = ℓ_RM − ℓ_ref of a token
 * reward model, no gradient): z = Σ_t β(1 + αβρ_w[t])·λ_w[t] − Σ_t β(1 − αβρ_l[t])·λ_l[t], λ = ℓ_θ − ℓ_ref,
 * L = softplus(−z). α = 0 is DPO. Negative coefficients are not clamped (as in the released code); their
 * share is logged.
 */
export const tgdpoLoss = definePlugin({
  kind: 'preference',
  name: NAME,
  summary: 'TGDPO: DPO with per-token β from token-level reward guidance (chosen ×(1+αβρ), rejected ×(1−αβρ))',
  paper: {
    title: 'TGDPO: Harnessing Token-Level Reward Guidance for Enhancing Direct Preference Optimization',
    arxiv: '2506.14574',
    section: '§4 (token-level guided loss); β = 0.1, α = 0.5 (released examples/llama3_8b_instruct_tgdpo.yaml)',
  },
  requires: ['refLogProbs'],
  options: z
    .object({
      beta: z.number().positive().default(0.1),
      /** α, the strength of the token guidance (0 = DPO). */
      alpha: z.number().min(0).default(0.5),
    })
    .strict(),
  create: (o) => ({
    perPair(input) {
      return tf.tidy(() => {
        const ref = (side: PreferenceSide, which: string) => {
          if (!side.refLogProbs) throw new TirlError(`preference/${NAME}: reference log-probs of the ${which} side are missing`, 'missing-input');
          return tf.sub(side.logProbs, side.refLogProbs) as tf.Tensor2D;
        };
        const lw = ref(input.chosen, 'chosen');
        const ll = ref(input.rejected, 'rejected');
        const cw = tf.mul(o.beta, tf.add(1, tf.mul(o.alpha * o.beta, guidanceOf(input.chosen, 'chosen')))) as tf.Tensor2D;
        const cl = tf.mul(o.beta, tf.sub(1, tf.mul(o.alpha * o.beta, guidanceOf(input.rejected, 'rejected')))) as tf.Tensor2D;
        const chosen = maskedSum(tf.mul(cw, lw) as tf.Tensor2D, input.chosen.lossMask);
        const rejected = maskedSum(tf.mul(cl, ll) as tf.Tensor2D, input.rejected.lossMask);
        const perPair = tf.softplus(tf.neg(tf.sub(chosen, rejected))) as tf.Tensor1D;
        const negative = (c: tf.Tensor2D, m: tf.Tensor2D) => tf.sum(tf.mul(tf.cast(tf.less(c, 0), 'float32'), tf.cast(tf.greater(m, 0), 'float32')));
        const tokens = tf.add(tf.sum(tf.cast(tf.greater(input.chosen.lossMask, 0), 'float32')), tf.sum(tf.cast(tf.greater(input.rejected.lossMask, 0), 'float32')));
        const metrics = {
          ...rewardMetrics(`preference/${NAME}`, tf.mul(o.beta, maskedSum(lw, input.chosen.lossMask)) as tf.Tensor1D, tf.mul(o.beta, maskedSum(ll, input.rejected.lossMask)) as tf.Tensor1D),
          [`preference/${NAME}/negative_coefficient_fraction`]: meanOf(tf.reshape(tf.div(tf.add(negative(cw, input.chosen.lossMask), negative(cl, input.rejected.lossMask)), tf.maximum(tokens, 1)), [1]) as tf.Tensor1D),
        };
        return { perPair, metrics };
      });
    },
  }),
});
