import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { onMask, readMatrix, shapeOf, trainedTokens } from '../math/batch-views';
import { groupsOf, weightedMoments } from '../math/group-stats';

/**
 * HAPO Token-Level Group Average: group statistics over TOKENS, not sequences. Each row's score counts once
 * per trained token, `μ_g, σ_g` = token-weighted mean and population std of the group, and
 * `A_i = (R_i − μ_g)/(σ_g + eps)` on the row's trained tokens, so `Σ_tokens A = 0` per group. If any
 * `|A_i| ≥ fallbackAbove` in a group, that group keeps the incoming (GRPO) advantages, as the code does.
 */
export const hapoTokenGroup = definePlugin({
  kind: 'advantageTransform',
  name: 'hapo-token-group',
  summary: 'HAPO token-level group average: token-weighted group standardisation with a GRPO fallback',
  paper: { title: "From Uniform to Heterogeneous: Tailoring Policy Optimization to Every Token's Nature", arxiv: '2509.16591', section: '3.2' },
  options: z
    .object({
      eps: z.number().nonnegative().default(1e-6),
      /** Keep the incoming advantages of a group where any |A_i| reaches this value (code: 5). */
      fallbackAbove: z.number().positive().default(5),
    })
    .strict(),
  create: (options) => ({
    transform({ batch, scores, advantages }) {
      const [B, T] = shapeOf(batch);
      const out = readMatrix(advantages);
      let fallbacks = 0;
      for (const rows of groupsOf(batch)) {
        const weights = rows.map((b) => trainedTokens(batch, b));
        const m = weightedMoments(rows.map((b) => scores[b]), weights);
        const a = rows.map((b) => (scores[b] - m.mean) / (m.std + options.eps));
        if (a.some((x) => Math.abs(x) >= options.fallbackAbove)) {
          fallbacks += 1;
          continue;
        }
        rows.forEach((b, k) => {
          for (let t = 0; t < T; t++) out[b * T + t] = onMask(a[k], batch.lossMaskValues[b * T + t]);
        });
      }
      // Incoming advantages of fallback groups are re-masked too: zero off the loss mask and on pad rows.
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[b * T + t] = onMask(out[b * T + t], batch.rowKinds[b] === 'pad' ? 0 : batch.lossMaskValues[b * T + t]);
      return { advantages: tf.tensor2d(out, [B, T]), metrics: { 'advantageTransform/hapo-token-group/fallback_groups': fallbacks } };
    },
  }),
});
