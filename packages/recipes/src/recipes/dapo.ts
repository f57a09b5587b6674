import { defineMethod } from '@tirl/core';

export const dapo = defineMethod({
  name: 'dapo',
  extends: 'base',
  paper: { title: 'DAPO: An Open-Source LLM Reinforcement Learning System at Scale', arxiv: '2503.14476', section: '3' },
  description: 'Clip-higher, dynamic sampling, token-level loss, overlong reward shaping, no KL',
  plugins: [
    // math_dapo scorer: +1 correct, −1 wrong.
    ['reward/math-equivalence', { correct: 1, incorrect: -1 }],
    // §3.4 Eq. 13: L_max 20480, L_cache 4096 (the plugin defaults).
    ['reward/soft-overlong'],
    // §3.2: keep only groups whose accuracy is neither 0 nor 1; max_num_gen_batches 10.
    ['filter/dynamic-sampling', { maxGenerations: 10 }],
    ['advantage/grpo'],
    // §3.1 clip-higher: ε_low 0.2, ε_high 0.28.
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.28 }],
    // §3.3 token-level policy gradient loss.
    ['aggregation/token-mean'],
  ],
  settings: {
    // §4.1: 16 responses per prompt, lr 1e-6 with 10 warm-up steps, 16 mini-batches.
    groupSize: 16,
    miniBatches: 16,
    optimizer: { lr: 1e-6, warmupSteps: 10 },
    decode: { maxNewTokens: 20480 },
  },
});
