import { defineMethod } from '@tirl/core';

export const dapo = defineMethod({
  name: 'dapo',
  extends: 'base',
  paper: { title: 'DAPO: An Open-Source LLM Reinforcement Learning System at Scale', arxiv: '2503.14476', section: '3' },
  description: 'Clip-higher, dynamic sampling, token-level loss, overlong reward shaping, no KL',
  plugins: [
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
});
