import { defineMethod } from '@tirl/core';

export const fapo = defineMethod({
  name: 'fapo',
  extends: 'dapo',
  paper: { title: 'FAPO: Flawed-Aware Policy Optimization for Efficient and Reliable Reasoning', arxiv: '2510.22543', section: 'verl recipe/fapo' },
  description: 'DAPO with a penalty for correct answers whose reasoning a checker flags as flawed',
  plugins: [
    // reward_fn_reasoning.py: λ = 1 on a ±1 outcome reward.
    ['reward/flawed-positive', { penalty: 1 }],
  ],
});
