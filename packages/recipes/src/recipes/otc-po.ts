import { defineMethod } from '@tirl/core';

/** Extends `base`, not `search-r1`: the OTC reward checks correctness itself, so it takes the place of the task's correctness reward. */
export const otcPo = defineMethod({
  name: 'otc-po',
  extends: 'base',
  paper: { title: 'OTC: Optimal Tool Calls via Reinforcement Learning', arxiv: '2504.14870', section: '3.3 (Eq. 5-7), 4.1' },
  description: 'Search-R1 GRPO whose reward multiplies correctness by a tool-efficiency coefficient (OTC-GRPO)',
  plugins: [
    // §4.1: c = 4 (max calls), α = 1, global minimum of calls (n) across steps.
    ['reward/otc', { check: 'normalized-exact', c: 4, alpha: 1, mode: 'global' }],
    ['advantage/grpo'],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
    ['aggregation/seq-mean-token-mean'],
    // Search-R1 settings (§4 of 2503.09516): KL 0.001.
    ['regularizer/kl', { coef: 0.001 }],
  ],
  scoresCorrectness: true,
});
