import { definePlugin, TirlError } from '@tirl/core';
import { z } from 'zod';
import { maskedTensor, shapeOf, trajectoryOf } from '../math/batch-views';
import { rewardToGo, tokenRewardMatrix } from '../math/returns';

/**
 * ReMax: reward-to-go (γ = 1, trained tokens only) minus the score of the greedy decode of the same prompt,
 * `A[b, t] = G[b, t] − b_b` on trained tokens. The greedy score is read from
 * `trajectory.meta[baselineKey]` (a number), written by the rollout that also decodes greedily.
 */
export const remax = definePlugin({
  kind: 'advantage',
  name: 'remax',
  summary: 'ReMax: return minus the reward of a greedy rollout of the same prompt',
  paper: { title: 'ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models', arxiv: '2310.10505', section: '4' },
  options: z
    .object({
      /** `trajectory.meta` key holding the greedy rollout's score. */
      baselineKey: z.string().min(1).default('baselineReward'),
    })
    .strict(),
  create: (options) => ({
    compute(input) {
      const { batch } = input;
      const [B, T] = shapeOf(batch);
      const returns = rewardToGo(batch, tokenRewardMatrix(input), 1);
      const adv = new Float64Array(B * T);
      for (let b = 0; b < B; b++) {
        if (batch.rowKinds[b] === 'pad') continue;
        const traj = trajectoryOf(batch, b, 'advantage/remax');
        const baseline = traj.meta?.[options.baselineKey];
        if (typeof baseline !== 'number' || !Number.isFinite(baseline)) {
          throw new TirlError(
            `advantage/remax: trajectory "${traj.id}" has no numeric meta.${options.baselineKey} (the greedy rollout's score); ` +
              'score a greedy decode of the prompt and store it there, or set the baselineKey option',
            'missing-input',
          );
        }
        for (let t = 0; t < T; t++) adv[b * T + t] = returns[b * T + t] - baseline;
      }
      return { advantages: maskedTensor(batch, adv), returns: maskedTensor(batch, returns) };
    },
  }),
});
