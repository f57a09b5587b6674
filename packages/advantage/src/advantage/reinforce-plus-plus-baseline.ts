import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { maskedTensor } from '../math/batch-views';
import { groupsOf, moments } from '../math/group-stats';
import { rewardToGo, tokenRewardMatrix } from '../math/returns';
import { whitenIf } from '../math/whiten';
import { reinforceFields } from '../options';

/**
 * REINFORCE++-baseline: subtract the group mean score (`R_i − μ_g`, μ = 0 for a group of one, as verl),
 * take the reward-to-go over trained tokens (tool tokens skipped), then whiten over all trained tokens.
 * Without `tokenRewards` and with γ = 1 every trained token carries `R_i − μ_g` before whitening.
 */
export const reinforcePlusPlusBaseline = definePlugin({
  kind: 'advantage',
  name: 'reinforce-plus-plus-baseline',
  summary: 'REINFORCE++ with a group-mean baseline, then batch-level token whitening',
  paper: { title: 'REINFORCE++: A Simple and Efficient Approach for Aligning Large Language Models', arxiv: '2501.03262', section: '3' },
  options: z
    .object(reinforceFields)
    .strict(),
  create: (options) => ({
    compute(input) {
      const { batch, scores } = input;
      const baseline = new Float64Array(scores.length);
      for (const rows of groupsOf(batch)) {
        if (rows.length < 2) continue;
        const mean = moments(rows.map((b) => scores[b])).mean;
        for (const b of rows) baseline[b] = mean;
      }
      const returns = rewardToGo(batch, tokenRewardMatrix(input, baseline), options.gamma);
      return { advantages: maskedTensor(batch, whitenIf(batch, returns, options)), returns: maskedTensor(batch, returns) };
    },
  }),
});
