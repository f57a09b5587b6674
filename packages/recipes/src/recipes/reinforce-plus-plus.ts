import { defineMethod } from '@tirl/core';

export const reinforcePlusPlus = defineMethod({
  name: 'reinforce-plus-plus',
  extends: 'base',
  paper: { title: 'REINFORCE++: A Simple and Efficient Approach for Aligning Large Language Models', arxiv: '2501.03262', section: '3' },
  description: 'Group-mean baseline, token-level KL in the reward, batch-wide advantage whitening, PPO clip',
  plugins: [
    ['advantage/reinforce-plus-plus-baseline'],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
    // §3: per-token KL penalty folded into the reward (k2-style estimator in OpenRLHF), β 0.001 (verl default).
    ['regularizer/kl', { placement: 'reward', estimator: 'k1', coef: 0.001 }],
  ],
});
