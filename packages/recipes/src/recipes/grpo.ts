import { defineMethod } from '@tirl/core';

export const grpo = defineMethod({
  name: 'grpo',
  extends: 'base',
  paper: { title: 'DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models', arxiv: '2402.03300', section: '4.1' },
  description: 'Group-standardised outcome reward, PPO clip, per-sequence token mean, KL to the reference in the loss',
  plugins: [
    ['advantage/grpo'],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
    // GRPO objective (eq. 3) averages tokens within each sequence, then over sequences.
    ['aggregation/seq-mean-token-mean'],
    // §4.2: KL coefficient 0.04, unbiased k3 estimator in the loss.
    ['regularizer/kl', { coef: 0.04, estimator: 'k3' }],
  ],
});
