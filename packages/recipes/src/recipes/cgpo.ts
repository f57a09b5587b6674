import { defineMethod } from '@tirl/core';

export const cgpo = defineMethod({
  name: 'cgpo',
  extends: 'base',
  paper: { title: 'The Perfect Blend: Redefining RLHF with Mixture of Judges', arxiv: '2409.20370', section: '3.2 (CRPG), 3.3 (mixture of judges)' },
  description: 'CGPO with the CRPG optimizer: judges gate a calibrated reward; REINFORCE with a group-mean baseline, normalised by the batch\'s completion tokens',
  plugins: [
    // §3.3: a rule judge of answer correctness by default; tasks add regex / length / LLM judges and a reward model.
    ['reward/mixture-of-judges'],
    // CRPG: −Σ log π(y_i)·(R̃_i − mean R̃) / #completion tokens: a mean-centred group baseline, no ratio clipping.
    ['advantage/grpo', { normByStd: false }],
    ['objective/reinforce'],
    ['aggregation/token-mean'],
  ],
  scoresCorrectness: true,
});
