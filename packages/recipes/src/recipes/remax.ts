import { defineMethod } from '@tirl/core';

/**
 * ReMax. Cannot train yet: `advantage/remax` reads the greedy rollout's score from
 * `trajectory.meta.baselineReward`, and no rollout strategy produces that greedy baseline rollout.
 */
export const remax = defineMethod({
  name: 'remax',
  extends: 'base',
  paper: { title: 'ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models', arxiv: '2310.10505', section: '4' },
  description: 'REINFORCE with the reward of a greedy rollout as baseline (needs a greedy baseline rollout)',
  plugins: [['advantage/remax'], ['objective/reinforce'], ['aggregation/seq-mean-token-sum']],
  // §4: one sampled response per prompt plus the greedy one.
  // (The algorithm itself, so the method holds it: a scale that changes it is no longer ReMax.)
  settings: { groupSize: 1 },
});
