import { definePlugin, TirlError } from '@tirl/core';
import { z } from 'zod';
import { maskedTensor, readMatrix } from '../math/batch-views';
import { generalisedAdvantages, tokenRewardMatrix } from '../math/returns';
import { whitenIf } from '../math/whiten';
import { gaeFields } from '../options';

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
    .object(gaeFields)
    .strict(),
  requires: ['values'],
  create: (options) => ({
    compute(input) {
      const { batch, values } = input;
      if (!values) {
        throw new TirlError('advantage/gae: needs `values` [B, T]; add a value head (the plugin declares requires: ["values"])', 'missing-input');
      }
      const { advantages: adv, returns: ret } = generalisedAdvantages(batch, readMatrix(values), tokenRewardMatrix(input), options);
      return { advantages: maskedTensor(batch, whitenIf(batch, adv, options)), returns: maskedTensor(batch, ret) };
    },
  }),
});
