import { defineMethod } from '@tirl/core';

export const arpo = defineMethod({
  name: 'arpo',
  extends: 'tool-star',
  paper: { title: 'Agentic Reinforced Policy Optimization', arxiv: '2507.19849', section: '3.2 (entropy-based adaptive rollout)' },
  description: 'Tool-Star training with entropy-triggered branching after tool results',
  plugins: [
    // §3.2 / ARPO scripts: N = 8 initial rollouts, Z = 2 branches, τ = 0.5, β = 0.2 (M = 16 = groupSize).
    ['rollout/arpo', { initialRollouts: 8, beamSize: 2, branchProbability: 0.5, entropyWeight: 0.2 }],
  ],
});
