import { defineMethod } from '@tirl/core';

export const bapo = defineMethod({
  name: 'bapo',
  extends: 'grpo',
  paper: {
    title: 'BAPO: Stabilizing Off-Policy Reinforcement Learning for LLMs via Balanced Policy Optimization with Adaptive Clipping',
    arxiv: '2510.18927',
    section: 'adaptive clipping (ρ₀ = 0.5)',
  },
  description: 'PPO clip whose bounds widen each step until positive-advantage tokens reach half of the loss; no KL',
  plugins: [
    // README: ρ₀ 0.5; bounds from [0.6, 1.2] up to [0.9, 3.0] in steps of 0.05 (plugin defaults).
    ['objective/bapo', { targetShare: 0.5 }],
    ['aggregation/token-mean'],
    ['regularizer/kl', { coef: 0 }],
  ],
});
