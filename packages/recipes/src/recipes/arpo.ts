import { defineMethod } from '@tirl/core';

export const arpo = defineMethod({
  name: 'arpo',
  extends: 'tool-star',
  paper: { title: 'Agentic Reinforced Policy Optimization', arxiv: '2507.19849', section: '3.2 (entropy-based adaptive rollout), 3.3 (advantage attribution)' },
  description: 'Tool-Star training with entropy-triggered branching after tool results; soft (default) or hard advantage attribution on shared prefixes',
  plugins: [
    // §3.2 / ARPO scripts: N = 8 initial rollouts, Z = 2 branches, τ = 0.5, β = 0.2 (M = 16 = groupSize).
    // §3.3 soft attribution (the paper's default, the released code): every branch trains its copy of the
    // shared prefix, so the summed loss averages the sharing branches' advantages there.
    ['rollout/arpo', { initialRollouts: 8, beamSize: 2, branchProbability: 0.5, entropyWeight: 0.2, countSharedOnce: false }],
  ],
  switches: {
    attribution: {
      default: 'soft',
      values: {
        soft: {},
        // §3.3 hard attribution: shared tokens trained once, with the mean advantage of the branches sharing them.
        hard: { plugins: [['rollout/arpo', { countSharedOnce: true }], ['advantageTransform/arpo-hard']] },
      },
    },
  },
});
