import { defineMethod } from '@tirl/core';

export const d3s = defineMethod({
  name: 'd3s',
  extends: 'grpo',
  paper: { title: 'Dynamic Dual-Level Down-Sampling (D³S)', arxiv: '2509.22115', section: 'sample level' },
  description: 'GRPO trained on the highest-variance subset of each group, a share that grows over training',
  plugins: [
    // Sample-level selection only; the token level (ρ) is not implemented. Schedule 0.5 → 1 over 100 steps
    // is the plugin default (the paper's schedule endpoints are unverified).
    ['filter/d3s-sample'],
  ],
});
