import { defineMethod } from '@tirl/core';

export const riskpo = defineMethod({
  name: 'riskpo',
  extends: 'grpo',
  paper: { title: 'RiskPO: Risk-based Policy Optimization via Verifiable Reward for LLM Post-Training', arxiv: '2510.00911', section: '3' },
  description: 'Mixed value-at-risk advantages over bundles of prompts with tracked reward quantiles; no KL',
  plugins: [
    // run_qwen2.5_1.5b_MVaR_math.sh: α 0.2, β 0.9, bundle size 5, mix weight 1.5 (plugin defaults).
    ['advantageTransform/riskpo-mvar', { alpha: 0.2, beta: 0.9, bundleSize: 5 }],
    ['aggregation/token-mean'],
    ['regularizer/kl', { coef: 0 }],
  ],
});
