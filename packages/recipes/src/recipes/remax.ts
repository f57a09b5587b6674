import { defineMethod } from '@tirl/core';

/**
 * ReMax (Algorithm 1): per prompt one sampled response and one greedy response; the greedy response's
 * reward is the baseline, A = r(x, y) − r(x, ȳ); REINFORCE, no critic.
 */
export const remax = defineMethod({
  name: 'remax',
  extends: 'base',
  paper: { title: 'ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models', arxiv: '2310.10505', section: '4 (Algorithm 1)' },
  description: 'REINFORCE with the reward of a greedy rollout of the same prompt as baseline; the greedy rollout is scored, not trained',
  plugins: [
    // Algorithm 1: ȳ = greedy decode (do_sample=False) of each prompt, scored by the same reward.
    ['rollout/greedy-baseline'],
    // b(x) = r(x, ȳ); the greedy rollout itself is never trained.
    ['filter/greedy-baseline'],
    ['advantage/remax'],
    ['objective/reinforce'],
    // Algorithm 1: the loss sums log-probs over tokens and averages over sequences.
    ['aggregation/seq-mean-token-sum'],
  ],
  // Algorithm 1: one sampled response per prompt plus the greedy one.
  // (The algorithm itself, so the method holds it: a scale that changes it is no longer ReMax.)
  settings: { groupSize: 1 },
});
