import { defineMethod } from '@tirl/core';

/** GPG: plain policy gradient on group-mean-centred rewards, no ratio, clip, KL, critic or reference. */
export const gpg = defineMethod({
  name: 'gpg',
  extends: 'base',
  paper: { title: 'GPG: A Simple and Strong Reinforcement Learning Baseline for Model Reasoning', arxiv: '2504.02546', section: '3 (Table 9)' },
  description: 'REINFORCE (−log π·A) with A = α(R − group mean), α = B/(B − M) over the rows that carry signal; no std, no KL',
  plugins: [
    // Table 9 / train.sh: F_norm = 1 (--scale_rewards False), α = B/(B − M) (--adjust_gd).
    ['advantage/gpg', { alpha: 'valid-fraction', fNorm: 'one' }],
    // L = −ℓ·A: no ratio, no clipping (gpg_trainer.compute_loss).
    ['objective/reinforce', { importanceSampling: false }],
    // gpg_trainer: token mean over the local batch.
    ['aggregation/token-mean'],
  ],
  // On-policy: one update per batch.
  settings: { ppoEpochs: 1 },
});
