import { defineMethod } from '@tirl/core';

export const llds = defineMethod({
  name: 'llds',
  extends: 'search-r1',
  paper: { title: 'On GRPO Collapse in Search-R1: The Lazy Likelihood-Displacement Death Spiral', arxiv: '2512.04220', section: 'LLDS' },
  description: 'Search-R1 GRPO plus a one-sided penalty on likelihood decreases of non-negative-advantage actions',
  plugins: [
    // train_grpo_nqhot.sh: λ 0.2, action-level gate.
    ['regularizer/llds', { lambda: 0.2, gate: 'action' }],
  ],
});
