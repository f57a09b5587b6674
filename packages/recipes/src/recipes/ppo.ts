import { defineRecipe } from '@tirl/core';

/**
 * PPO with GAE. Cannot train yet: `advantage/gae` requires `values`, and the trainer has no value model;
 * it stops with a `missing-input` error before the first step.
 */
export const ppo = defineRecipe({
  name: 'ppo',
  extends: 'base',
  paper: { title: 'Proximal Policy Optimization Algorithms', arxiv: '1707.06347', section: '3 (eq. 7), 5 (GAE)' },
  description: 'Clipped surrogate with GAE advantages from a value model; KL penalty in the reward',
  plugins: [
    ['reward/exact-match'],
    // GAE γ = λ = 1 is the verl default for LLM outcome rewards (objectives.md §2.1).
    ['advantage/gae', { gamma: 1, lambda: 1 }],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
    // InstructGPT-style KL in the reward, adaptive controller (Ziegler et al. 1909.08593).
    ['regularizer/kl', { placement: 'reward', estimator: 'k1', coef: 0.001 }],
  ],
  settings: { ppoEpochs: 1, miniBatches: 1 },
});
