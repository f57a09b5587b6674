import { defineMethod } from '@tirl/core';

export const toolpo = defineMethod({
  name: 'toolpo',
  extends: 'base',
  paper: { title: 'DeepAgent: A General Reasoning Agent with Scalable Toolsets', arxiv: '2510.21618', section: '3.5 (Eq. 5-7)' },
  description: 'ToolPO: mean-centred success advantage on all tokens plus an action advantage on tool-call and fold tokens; autonomous memory folding',
  plugins: [
    // §3.4: autonomous memory folding (`<fold_thought>`, at most 3 folds: max_fold_limit of the released code).
    ['memory/deepagent', { maxFolds: 3, foldTag: '<fold_thought>' }],
    // R_action: share of schema-valid tool calls (the paper's C(call) judged by the schema, λ1 = 1; S_pref is not scored).
    ['reward/tool-format'],
    // Eq. 5-7: mean-centred (no std); R_succ and R_action kept apart; action advantage on the tool-call and
    // fold tokens the rollout engine records (`meta.actionSpans`).
    ['advantage/toolpo', { normByStd: false, actionRewardKey: 'reward/tool-format', successExcludesAction: true, actionTokens: 'spans' }],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
  ],
});
