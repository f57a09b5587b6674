import { defineMethod } from '@tirl/core';

export const klCov = defineMethod({
  name: 'kl-cov',
  extends: 'grpo',
  paper: { title: 'The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models', arxiv: '2505.22617', section: '4 (KL-Cov)' },
  description: 'Unclipped surrogate with a |log r| penalty on the top-k covariance tokens; token-mean; no KL',
  plugins: [
    // verl kl_cov_ratio 2e-4; ppo_kl_coef 1 (the function fallback; verl's actor.yaml ships 0.1).
    ['objective/kl-cov', { ratio: 2e-4, klCoef: 1 }],
    ['aggregation/token-mean'],
    ['regularizer/kl', { coef: 0 }],
  ],
});
