import { defineMethod } from '@tirl/core';

/** The Search-R1 GRPO setup that LLDS, Tree-GRPO and OTC-PO build on. */
export const searchR1 = defineMethod({
  name: 'search-r1',
  extends: 'grpo',
  paper: { title: 'Search-R1: Training LLMs to Reason and Leverage Search Engines with Reinforcement Learning', arxiv: '2503.09516', section: '3' },
  description: 'GRPO on search rollouts (the search-qa task: <search> calls, exact match, retrieved tokens masked), KL 0.001',
  plugins: [
    // §4: KL coefficient 0.001.
    ['regularizer/kl', { coef: 0.001 }],
  ],
});
