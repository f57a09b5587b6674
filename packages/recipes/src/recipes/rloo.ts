import { defineMethod } from '@tirl/core';

export const rloo = defineMethod({
  name: 'rloo',
  extends: 'base',
  paper: { title: 'Back to Basics: Revisiting REINFORCE Style Optimization for Learning from Human Feedback in LLMs', arxiv: '2402.14740', section: '3' },
  description: 'Leave-one-out baseline, plain REINFORCE (no clipping, one update per batch), KL in the reward',
  plugins: [
    ['advantage/rloo'],
    ['objective/reinforce'],
    ['aggregation/seq-mean-token-sum'],
    // §3: KL to the reference enters the sequence reward (β 0.05 in §5 experiments).
    ['regularizer/kl', { placement: 'reward', estimator: 'k1', coef: 0.05 }],
  ],
});
