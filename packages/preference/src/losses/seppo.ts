import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { logRatio, meanOf, rewardMetrics } from './sides';

const NAME = 'seppo';

/**
 * SePPO for language models (the paper aligns diffusion models; this is its idea transcribed): the
 * rejected side is a response sampled by a previous checkpoint (the reference), the chosen side the
 * anchor. The anchor-based adaptive flipper compares policy and reference on the anchor:
 * h_w = Σ m·(ℓ_θ − ℓ_ref)(y_w), sign = +1 if h_w ≥ 0 else −1 (no gradient); `flip`:
 * L = softplus(−β(h_w − sign·h_ref)); `indicator` drops the reference term when h_w < 0.
 */
export const seppoLoss = definePlugin({
  kind: 'preference',
  name: NAME,
  summary: 'SePPO (LLM form): anchor vs. a previous checkpoint\'s sample, with the anchor-based adaptive flipper',
  paper: {
    title: 'SePPO: Semi-Policy Preference Optimization for Diffusion Alignment',
    arxiv: '2410.05255',
    section: '§3 (reference-sample loss, anchor-based adaptive flipper); β = 0.1 is ours (the diffusion β does not transfer)',
  },
  requires: ['refLogProbs'],
  options: z
    .object({
      beta: z.number().positive().default(0.1),
      /** `flip`: a reference sample the reference fits worse than the policy does the anchor becomes a second winner; `indicator`: it is dropped. */
      flipper: z.enum(['flip', 'indicator']).default('flip'),
    })
    .strict(),
  create: (o) => ({
    perPair(input) {
      return tf.tidy(() => {
        const hw = logRatio(`preference/${NAME}`, input.chosen);
        const href = logRatio(`preference/${NAME}`, input.rejected);
        const ahead = tf.cast(tf.greaterEqual(hw, 0), 'float32'); // 1 where sign = +1 (no gradient: a comparison)
        const perPair =
          o.flipper === 'flip'
            ? tf.softplus(tf.mul(-o.beta, tf.sub(hw, tf.mul(tf.sub(tf.mul(2, ahead), 1), href))))
            : tf.add(tf.mul(ahead, tf.softplus(tf.mul(-o.beta, tf.sub(hw, href)))), tf.mul(tf.sub(1, ahead), tf.softplus(tf.mul(-o.beta, hw))));
        const metrics = {
          ...rewardMetrics(`preference/${NAME}`, tf.mul(o.beta, hw) as tf.Tensor1D, tf.mul(o.beta, href) as tf.Tensor1D),
          [`preference/${NAME}/flipped_fraction`]: meanOf(tf.sub(1, ahead) as tf.Tensor1D),
        };
        return { perPair: perPair as tf.Tensor1D, metrics };
      });
    },
  }),
});
