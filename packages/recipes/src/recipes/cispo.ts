import { defineMethod } from '@tirl/core';

export const cispo = defineMethod({
  name: 'cispo',
  extends: 'grpo',
  paper: { title: 'MiniMax-M1: Scaling Test-Time Compute Efficiently with Lightning Attention', arxiv: '2506.13585', section: '3.1' },
  description: 'REINFORCE with a clipped stop-gradient importance weight, token-level loss, no KL',
  plugins: [
    // §3.1: no lower bound on the IS weight (ε_low large), ε_high 0.2 relative (verl).
    ['objective/cispo', { epsLow: 10, epsHigh: 0.2 }],
    // §3.1: token-level normalisation as in DAPO.
    ['aggregation/token-mean'],
    ['regularizer/kl', { coef: 0 }],
  ],
});
