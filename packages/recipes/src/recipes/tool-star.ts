import { defineMethod } from '@tirl/core';

export const toolStar = defineMethod({
  name: 'tool-star',
  extends: 'base',
  paper: { title: 'Tool-Star: Empowering LLM-Brained Multi-Tool Reasoner via Reinforcement Learning', arxiv: '2505.16410', section: '3.3' },
  description: 'GRPO with <search> and <python> tools and the hierarchical Tool-Star reward; no KL',
  plugins: [
    // re_search.py: −1 bad format, F1 (+0.1 when both tools were used); math 0 / 0.1 / 1.
    ['reward/tool-star', { bonus: 0.1, mathWrong: 0.1 }],
    ['advantage/grpo'],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
  ],
  // The Tool-Star reward scores format and answer itself; KL coefficient 0 (agentic.md §7).
  scoresCorrectness: true,
});
