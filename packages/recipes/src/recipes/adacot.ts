import { defineMethod } from '@tirl/core';

export const adacot = defineMethod({
  name: 'adacot',
  extends: 'ppo',
  paper: {
    title: 'AdaCoT: Pareto-Optimal Adaptive Chain-of-Thought Triggering via Reinforcement Learning',
    arxiv: '2505.11896',
    section: '3.3 (PPO with penalty coefficients on CoT triggering), 3.4 (Selective Loss Masking)',
  },
  description: 'PPO with Pareto penalties for reasoning on easy / skipping it on hard queries and selective loss masking of the think/no-think decision token',
  plugins: [
    // §3.3: R = R_base − α1·P_miss − α2·P_over − γ·P_fmt; α1, α2 unverified (the paper sweeps them to trace the frontier).
    ['reward/adacot-pareto'],
    // §3.4: SLM on the decision token; scope it to the skewed stage with fromStep/untilStep.
    ['filter/adacot-slm'],
  ],
});
