import { definePlugin, TirlError } from '@tirl/core';
import { z } from 'zod';
import { maskedTensor, readMatrix, shapeOf } from '../math/batch-views';
import { tokenRewardMatrix } from '../math/returns';
import { maskedWhiten } from '../math/whiten';

/**
 * GAE over trained tokens (verl `compute_gae_advantage_return`): walking back from the end,
 * `δ_t = r_t + γ·V_next − V_t`, `A_t = δ_t + γλ·A_next`, where "next" is the next TRAINED token, so tool
 * output and prompt tokens are skipped (their values and rewards are never read). Rewards are
 * `tokenRewards` (when given) plus the score on the last trained token. `returns = A + V` (before
 * whitening); with `whiten` the advantages are whitened over all trained tokens of the batch.
 */
export const gae = definePlugin({
  kind: 'advantage',
  name: 'gae',
  summary: 'Generalised advantage estimation with a value model, skipping masked (tool) tokens',
  paper: { title: 'High-Dimensional Continuous Control Using Generalized Advantage Estimation', arxiv: '1506.02438', section: '3' },
  options: z
    .object({
      /** Discount; verl and OpenRLHF default 1.0. */
      gamma: z.number().min(0).max(1).default(1),
      /** GAE λ; verl default 1.0 (then A_t = R − V_t). */
      lambda: z.number().min(0).max(1).default(1),
      /** Whiten advantages over the batch's trained tokens inside the estimator (verl); false = paper / OpenRLHF trainer-side. */
      whiten: z.boolean().default(true),
      /** Whitening variance: verl `masked_var` is unbiased; OpenRLHF uses the population variance. */
      whitenVariance: z.enum(['unbiased', 'population']).default('unbiased'),
      whitenEps: z.number().positive().default(1e-8),
    })
    .strict(),
  requires: ['values'],
  create: (options) => ({
    compute(input) {
      const { batch, values } = input;
      if (!values) {
        throw new TirlError('advantage/gae: needs `values` [B, T]; add a value head (the plugin declares requires: ["values"])', 'missing-input');
      }
      const [B, T] = shapeOf(batch);
      const v = readMatrix(values);
      const r = tokenRewardMatrix(input);
      const adv = new Float64Array(B * T);
      const ret = new Float64Array(B * T);
      for (let b = 0; b < B; b++) {
        if (batch.rowKinds[b] === 'pad') continue;
        let nextValue = 0;
        let lastGae = 0;
        for (let t = T - 1; t >= 0; t--) {
          const i = b * T + t;
          if (batch.lossMaskValues[i] <= 0) continue;
          const delta = r[i] + options.gamma * nextValue - v[i];
          lastGae = delta + options.gamma * options.lambda * lastGae;
          nextValue = v[i];
          adv[i] = lastGae;
          ret[i] = lastGae + v[i];
        }
      }
      const final = options.whiten ? maskedWhiten(batch, adv, { variance: options.whitenVariance, eps: options.whitenEps }) : adv;
      return { advantages: maskedTensor(batch, final), returns: maskedTensor(batch, ret) };
    },
  }),
});
