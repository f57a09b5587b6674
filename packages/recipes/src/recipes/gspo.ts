import { defineMethod } from '@tirl/core';

export const gspo = defineMethod({
  name: 'gspo',
  extends: 'grpo',
  paper: { title: 'Group Sequence Policy Optimization', arxiv: '2507.18071', section: '4, 5.1' },
  description: 'GRPO with a clipped length-normalised sequence-level importance ratio; no KL',
  plugins: [
    // §5.1: ε_low 3e-4, ε_high 4e-4 (the plugin defaults).
    ['objective/gspo', { epsLow: 3e-4, epsHigh: 4e-4 }],
    // GSPO's sequence ratio is defined per sequence: the objective requires seq-mean-token-mean.
    ['aggregation/seq-mean-token-mean'],
    // §5.1 trains without a KL term.
    ['regularizer/kl', { coef: 0 }],
  ],
});
