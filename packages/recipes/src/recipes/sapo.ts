import { defineMethod } from '@tirl/core';

export const sapo = defineMethod({
  name: 'sapo',
  extends: 'grpo',
  paper: { title: 'Soft Adaptive Policy Optimization', arxiv: '2511.20347', section: 'abstract; verl sapo_trainer (τ_pos 1.0, τ_neg 1.05)' },
  description: 'GRPO with a soft sigmoid gate on token ratios instead of a hard clip; no KL',
  plugins: [
    ['objective/sapo', { tauPos: 1.0, tauNeg: 1.05 }],
    ['aggregation/seq-mean-token-mean'],
    ['regularizer/kl', { coef: 0 }],
  ],
});
