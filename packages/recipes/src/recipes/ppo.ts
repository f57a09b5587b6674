import { defineMethod } from '@tirl/core';

/** PPO with GAE: `advantage/gae` requires `values`, which the trainer's critic provides (settings.value). */
export const ppo = defineMethod({
  name: 'ppo',
  extends: 'base',
  paper: { title: 'Proximal Policy Optimization Algorithms', arxiv: '1707.06347', section: '3 (eq. 7), 5 (GAE)' },
  description: 'Clipped surrogate with GAE advantages from a value model; KL penalty in the reward',
  plugins: [
    // GAE γ = λ = 1 is the verl default for LLM outcome rewards (objectives.md §2.1).
    ['advantage/gae', { gamma: 1, lambda: 1 }],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
    // KL in the reward as in Ziegler et al. (1909.08593); β 0.001 is the verl kl_coef default.
    ['regularizer/kl', { placement: 'reward', estimator: 'k1', coef: 0.001 }],
  ],
  // One PPO epoch per batch (verl default); mini-batches are in the `ppo` scale.
  settings: { ppoEpochs: 1 },
});
