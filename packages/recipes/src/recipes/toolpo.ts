import { defineMethod } from '@tirl/core';

export const toolpo = defineMethod({
  name: 'toolpo',
  extends: 'base',
  paper: { title: 'DeepAgent: A General Reasoning Agent with Scalable Toolsets', arxiv: '2510.21618', section: '3.5 (Eq. 5-7)' },
  description: 'ToolPO: mean-centred success advantage on all tokens plus an action advantage on tool-call tokens',
  plugins: [
    // R_action: share of schema-valid tool calls. The trainer sums every reward into the total, so R_succ
    // here is exact match + this term (the paper keeps them apart).
    ['reward/tool-format'],
    // Eq. 5-7: mean-centred (no std), action advantage on tool-call tokens.
    ['advantage/toolpo', { normByStd: false, actionRewardKey: 'reward/tool-format' }],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
  ],
});
