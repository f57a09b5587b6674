import { defineMethod } from '@tirl/core';

export const tapo = defineMethod({
  name: 'tapo',
  extends: 'base',
  paper: { title: 'Tool-Augmented Policy Optimization: Synergizing Reasoning and Adaptive Tool Use with Reinforcement Learning', arxiv: '2510.07038', section: 'tool_dapo.py' },
  description: 'DAPO-style training with search and python tools: −1 format gate, dynamic sampling, clip-higher, dual clip',
  plugins: [
    // tool_dapo.py: a format violation scores −1, otherwise the exact-match reward.
    ['reward/gate', { gate: { id: 'reward/tool-format' }, components: [{ id: 'reward/exact-match' }], threshold: 1, otherwise: -1 }],
    // Overlong punishment on generated tokens only.
    ['reward/soft-overlong'],
    ['filter/dynamic-sampling', { maxGenerations: 10 }],
    ['advantage/grpo'],
    // ε 0.2 / 0.28, dual-clip 10 (agentic.md §7).
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.28, dualClipC: 10 }],
    ['aggregation/token-mean'],
  ],
  // The gate wraps exact match itself.
  scoresCorrectness: true,
});
