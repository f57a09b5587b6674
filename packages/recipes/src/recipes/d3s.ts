import { defineMethod } from '@tirl/core';

export const d3s = defineMethod({
  name: 'd3s',
  extends: 'grpo',
  paper: { title: 'Learning More with Less: A Dynamic Dual-Level Down-Sampling Framework for Efficient Policy Optimization', arxiv: '2509.22115', section: 'sample and token level down-sampling' },
  description: 'GRPO trained on the highest-variance subset of each group and on the tokens with the largest |A|·H, shares that grow over training',
  plugins: [
    // Sample level: schedule 0.5 → 1 over 100 steps (plugin default; the paper's endpoints are unverified).
    ['filter/d3s-sample'],
    // Token level: top ρ of trained tokens by |A|·H, ρ 0.5 → 1 over 100 steps over the batch (unverified as above).
    ['advantageTransform/d3s-token'],
  ],
});
