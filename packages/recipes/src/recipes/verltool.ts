import { defineMethod } from '@tirl/core';

export const verltool = defineMethod({
  name: 'verltool',
  extends: 'search-r1',
  paper: { title: 'VerlTool: Towards Holistic Agentic Reinforcement Learning with Tool Use', arxiv: '2509.01055', section: 'asynchronous rollout (abstract: near 2× rollout speed-up)' },
  description: 'Search-R1-style GRPO whose rollouts advance on their own (trajectory-level asynchrony) instead of turn by turn',
  plugins: [
    // Each trajectory generates its next turn as soon as its own tool calls return (verltool_agent_loop.py).
    ['rollout/async'],
  ],
});
