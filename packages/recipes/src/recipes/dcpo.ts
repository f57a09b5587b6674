import { defineMethod } from '@tirl/core';

export const dcpo = defineMethod({
  name: 'dcpo',
  extends: 'grpo',
  paper: { title: 'DCPO: Dynamic Clipping Policy Optimization', arxiv: '2509.02333', section: '3.1 (dynamic clipping), 3.2 (SAS)' },
  description: 'Probability-dependent clip bounds and smooth advantage standardisation across steps; token-mean loss; no KL',
  plugins: [
    // Replaces the incoming GRPO advantages with step/cumulative blended statistics.
    ['advantageTransform/dcpo-sas'],
    // README: ε_low 0.16, ε_high 0.2; dual clip 10.
    ['objective/dcpo', { epsLow: 0.16, epsHigh: 0.2, dualClipC: 10 }],
    ['aggregation/token-mean'],
    ['regularizer/kl', { coef: 0 }],
  ],
});
