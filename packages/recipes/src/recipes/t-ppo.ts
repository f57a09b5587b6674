import { defineRecipe } from '@tirl/core';

/**
 * T-PPO (Truncated PPO). Cannot train yet: it needs a value model (its Extended GAE bootstraps from
 * values of truncated generations) and EGAE itself, neither of which exists; it names `advantage/gae`
 * as the nearest estimator, so the trainer stops with the `missing-input` error for `values`.
 */
export const tPpo = defineRecipe({
  name: 't-ppo',
  extends: 'ppo',
  paper: { title: 'Truncated Proximal Policy Optimization', arxiv: '2506.15050', section: '3 (EGAE, decoupled policy/value updates)' },
  description: 'PPO on truncated generations with extended GAE (not implemented: needs a value model and EGAE)',
  plugins: [],
  settings: {},
});
