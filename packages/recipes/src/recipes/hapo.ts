import { defineMethod } from '@tirl/core';

export const hapo = defineMethod({
  name: 'hapo',
  extends: 'grpo',
  paper: { title: "From Uniform to Heterogeneous: Tailoring Policy Optimization to Every Token's Nature", arxiv: '2509.16591', section: '3' },
  description: 'Token-weighted group advantages, entropy-adaptive asymmetric clipping and advantage redistribution; no KL',
  plugins: [
    // §3.1 / recipe qwen2.5_math_7b.sh: per-token temperature T·(1 + τ·ĥ), τ 0.05, entropy pivot 0.8 (paper's sign).
    ['rollout/entropy-temperature', { tau: 0.05, entropyPivot: 0.8, negativeBranch: 'paper' }],
    // §3.2: token-level group average, GRPO fallback for groups with |A| ≥ 5 (reference code).
    ['advantageTransform/hapo-token-group'],
    // recipe qwen2.5_math_7b.sh: ε 0.2/0.2, entropy pivot 0.8, dual clip 10 (plugin defaults).
    ['objective/hapo', { epsLow: 0.2, epsHigh: 0.2, dualClipC: 10 }],
    ['aggregation/token-mean'],
    ['regularizer/kl', { coef: 0 }],
  ],
});
