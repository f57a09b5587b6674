import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { readMatrix, rowMeansOnMask, shapeOf, shiftedRows } from '../math/batch-views';
import { groupsOf } from '../math/group-stats';

/**
 * XRPO novelty sharpening. `s_i` = mean behaviour log-prob over the row's trained tokens,
 * `η_i = exp(s_i − mean_g s)` over the non-pad rows of the group, and for rows whose advantage
 * (mean over trained tokens) is positive: `A ← A + min(max(λ(1 − η_i), 0), κ·A_i)` on every trained token.
 * Rows with `A_i ≤ 0` are unchanged (the third-party code's `κ·|A|` on all rows flips the intent).
 */
export const xrpoNovelty = definePlugin({
  kind: 'advantageTransform',
  name: 'xrpo-novelty',
  summary: 'XRPO: boosts positive advantages of correct but unlikely (novel) responses, capped at κ·A',
  paper: { title: 'XRPO: Pushing the limits of GRPO with Targeted Exploration and Exploitation', arxiv: '2510.06672', section: '3.3 (unverified constants)' },
  options: z
    .object({
      lambda: z.number().nonnegative().default(1),
      kappa: z.number().nonnegative().default(1),
    })
    .strict(),
  create: (options) => ({
    transform({ batch, advantages }) {
      const [B] = shapeOf(batch);
      const adv = readMatrix(advantages);
      const rowAdv = rowMeansOnMask(batch, adv);
      const s = rowMeansOnMask(batch, readMatrix(batch.oldLogProbs));
      const bonus = new Float64Array(B);
      for (const rows of groupsOf(batch)) {
        const mean = rows.reduce((acc, b) => acc + s[b], 0) / rows.length;
        for (const b of rows) {
          if (rowAdv[b] <= 0) continue;
          const eta = Math.exp(s[b] - mean);
          bonus[b] = Math.min(Math.max(options.lambda * (1 - eta), 0), options.kappa * rowAdv[b]);
        }
      }
      return { advantages: shiftedRows(batch, adv, bonus) };
    },
  }),
});
