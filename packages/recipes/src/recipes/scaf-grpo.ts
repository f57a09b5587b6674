import { defineMethod } from '@tirl/core';

export const scafGrpo = defineMethod({
  name: 'scaf-grpo',
  extends: 'grpo',
  paper: { title: 'Scaf-GRPO: Scaffolded Group Relative Policy Optimization for Enhancing LLM Reasoning', arxiv: '2510.19807', section: '3' },
  description: 'GRPO that injects tiered hints (sample.hints) into prompts stuck at all-wrong after a warm-up',
  plugins: [
    // bs256_6k_mix.sh: hints start after 50 warm-up steps.
    ['sampler/scaf-hints', { warmupSteps: 50 }],
    ['regularizer/kl', { coef: 0 }],
  ],
});
