import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { maskedTensor } from '../math/batch-views';
import { rewardToGo, tokenRewardMatrix } from '../math/returns';
import { whitenIf } from '../math/whiten';
import { reinforceFields } from '../options';

/**
 * REINFORCE++: discounted reward-to-go over trained tokens (tool tokens are skipped, not reset), then
 * token-level whitening over the whole batch. `returns` are the un-whitened returns-to-go.
 */
export const reinforcePlusPlus = definePlugin({
  kind: 'advantage',
  name: 'reinforce-plus-plus',
  summary: 'REINFORCE++: reward-to-go over trained tokens, whitened over all trained tokens of the batch',
  paper: { title: 'REINFORCE++: A Simple and Efficient Approach for Aligning Large Language Models', arxiv: '2501.03262', section: '3' },
  options: z
    .object(reinforceFields)
    .strict(),
  create: (options) => ({
    compute(input) {
      const returns = rewardToGo(input.batch, tokenRewardMatrix(input), options.gamma);
      return { advantages: maskedTensor(input.batch, whitenIf(input.batch, returns, options)), returns: maskedTensor(input.batch, returns) };
    },
  }),
});
