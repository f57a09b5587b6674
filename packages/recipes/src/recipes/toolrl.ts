import { defineMethod } from '@tirl/core';

export const toolrl = defineMethod({
  name: 'toolrl',
  extends: 'base',
  paper: { title: 'ToolRL: Reward is All Tool Learning Needs', arxiv: '2504.13958', section: '3.2' },
  description: 'GRPO with a format + fine-grained tool-call correctness reward, Hermes tool calls, KL in the reward',
  plugins: [
    // rlla.py: format {0, 1}, correctness in [−3, 3] (plugin defaults).
    ['reward/toolrl', { formatScore: 1, correctMax: 3, correctMin: -3 }],
    ['advantage/grpo'],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
    ['aggregation/seq-mean-token-mean'],
    // agentic.md §7: KL in the reward, coefficient 0.001.
    ['regularizer/kl', { placement: 'reward', estimator: 'k1', coef: 0.001 }],
  ],
  // The ToolRL reward judges the calls and the answer itself.
  scoresCorrectness: true,
});
