import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { metricKey } from '../math/host';
import { cleanInput } from '../math/objective-input';

const NAME = 'nll-on-positive';

/**
 * THOR's "select loss": α · (−Σ_{t: A_t > threshold} ℓ_t) / max(#such tokens, 1), an NLL (SFT-like) term on
 * the trained tokens whose advantage is positive. Per token it is −α·ℓ·(N/P) on the selected tokens, where
 * N and P count the trained and selected tokens of the (micro-)batch it sees, so that `aggregation/token-mean`
 * (Σ·/N, THOR's) gives exactly the mean over selected tokens when the mini-batch is one micro-batch. With
 * several micro-batches it is the token-weighted mean of their own selected-token means, as the reference
 * code (`dp_actor.py`) takes the mean per micro-batch; other aggregations rescale it.
 */
export const nllOnPositive = definePlugin({
  kind: 'regularizer',
  name: NAME,
  summary: 'THOR select loss: α · mean NLL over the trained tokens with positive advantage (A > 1e-7)',
  paper: {
    title: 'THOR: Tool-Integrated Hierarchical Optimization via RL for Mathematical Reasoning',
    arxiv: '2509.13761',
    section: '3 (policy loss with an NLL term on positive samples); code dp_actor.py select loss, run_code_grpo.sh grpo_select_alpha 0.01',
  },
  options: z
    .object({
      /** α_nll (run_code_grpo.sh `grpo_select_alpha`: 0.01). */
      coef: z.number().min(0).default(0.01),
      /** A token is selected when its advantage exceeds this (dp_actor.py: 1e-7). */
      threshold: z.number().default(1e-7),
    })
    .strict(),
  create: (o) => ({
    perToken(input) {
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const mask = Array.from(clean.mask.dataSync());
        const adv = clean.advantages.dataSync();
        const selected = Float32Array.from(mask, (m, i) => (m > 0 && adv[i] > o.threshold ? 1 : 0));
        const trained = mask.reduce((n, m) => n + (m > 0 ? 1 : 0), 0);
        const picked = selected.reduce((n, s) => n + s, 0);
        const select = tf.tensor2d(selected, clean.mask.shape as [number, number]);
        const scale = picked > 0 ? (o.coef * trained) / picked : 0;
        const nll = tf.neg(tf.mul(clean.logProbs, select));
        const selectedNll = picked > 0 ? (tf.sum(nll).dataSync()[0] ?? 0) / picked : 0;
        return {
          perToken: tf.mul(nll, scale) as tf.Tensor2D,
          metrics: {
            [metricKey('regularizer', NAME, 'selected_fraction')]: trained ? picked / trained : 0,
            [metricKey('regularizer', NAME, 'nll')]: selectedNll,
          },
        };
      });
    },
  }),
});
