import { defineMethod } from '@tirl/core';

export const treeGrpo = defineMethod({
  name: 'tree-grpo',
  extends: 'search-r1',
  paper: { title: 'Tree Search for LLM Agent Reinforcement Learning', arxiv: '2509.21240', section: '3' },
  description: 'Search-R1 with tree rollouts sharing step prefixes and advantages relative to the prompt and to the tree',
  plugins: [
    // §4 settings: K = 3 leaves per tree, N = 2 expansions per round, L = 1 round.
    ['rollout/tree-search', { mode: 'tree-grpo', leavesPerTree: 3, expansionsPerRound: 2, rounds: 1 }],
    ['advantage/tree-grpo'],
  ],
});
