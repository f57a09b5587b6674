import { defineMethod } from '@tirl/core';

export const portool = defineMethod({
  name: 'portool',
  extends: 'tool-star',
  paper: { title: 'PORTool: Tool-Use LLM Training with Rewarded Tree', arxiv: '2510.26020', section: '3' },
  description: 'Tree rollouts branching per step; fork-relative step advantages blended with trajectory GRPO advantages',
  plugins: [
    // f = 2 candidate steps per live rollout (formulas unverified: agentic.md §7).
    ['rollout/tree-search', { mode: 'portool', branchFactor: 2 }],
    // Equal blend of trajectory and fork terms; tool-success bonus 0.1 (plugin defaults).
    ['advantage/portool', { trajWeight: 1, forkWeight: 1 }],
  ],
});
