import { defineMethod } from '@tirl/core';

export const latm = defineMethod({
  name: 'latm',
  extends: 'grpo',
  paper: { title: 'Large Language Models as Tool Makers', arxiv: '2305.17126', section: '3 (tool making: propose, verify with unit tests, wrap; tool using)' },
  description: 'GRPO whose policy can make verified Python functions into a per-run library and call them in later rollouts',
  plugins: [['tool/toolmaker', { requireTests: true }]],
});
