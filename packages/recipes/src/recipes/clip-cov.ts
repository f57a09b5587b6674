import { defineMethod } from '@tirl/core';

export const clipCov = defineMethod({
  name: 'clip-cov',
  extends: 'grpo',
  paper: { title: 'The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models', arxiv: '2505.22617', section: '4 (Clip-Cov)' },
  description: 'PPO clip plus gradient detachment of a random share of high-covariance tokens; token-mean; no KL',
  plugins: [
    // verl clip_cov_ratio 2e-4, clip_cov_lb 1, clip_cov_ub 5.
    ['objective/clip-cov', { ratio: 2e-4, lowerBound: 1, upperBound: 5 }],
    ['aggregation/token-mean'],
    ['regularizer/kl', { coef: 0 }],
  ],
});
