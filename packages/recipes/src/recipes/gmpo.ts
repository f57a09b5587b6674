import { defineMethod } from '@tirl/core';

export const gmpo = defineMethod({
  name: 'gmpo',
  extends: 'grpo',
  paper: { title: 'Geometric-Mean Policy Optimization', arxiv: '2507.20673', section: '3 (clip range (e^-0.4, e^0.4))' },
  description: 'GRPO with the geometric mean of token ratios, clipped per token in log space; no KL',
  plugins: [
    // Clip range (e^-0.4, e^0.4) in log space.
    ['objective/gmpo', { epsLow: 0.4, epsHigh: 0.4 }],
    ['aggregation/seq-mean-token-mean'],
    // verl examples/gmpo_trainer: use_kl_loss False.
    ['regularizer/kl', { coef: 0 }],
  ],
});
