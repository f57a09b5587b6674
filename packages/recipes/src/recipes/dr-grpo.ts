import { defineMethod } from '@tirl/core';

export const drGrpo = defineMethod({
  name: 'dr-grpo',
  extends: 'grpo',
  paper: { title: 'Understanding R1-Zero-Like Training: A Critical Perspective', arxiv: '2503.20783', section: '3.2' },
  description: 'GRPO without std normalisation and without per-sequence length normalisation; no KL',
  plugins: [
    // §3.2: drop the 1/std term (question-level difficulty bias).
    ['advantage/grpo', { normByStd: false }],
    // §3.2: drop 1/|o_i|; sum token losses and divide by a constant (the max response length).
    ['aggregation/seq-mean-token-sum-norm'],
    // §3.2 / Appendix: Dr. GRPO trains without a KL term (β = 0).
    ['regularizer/kl', { coef: 0 }],
  ],
});
