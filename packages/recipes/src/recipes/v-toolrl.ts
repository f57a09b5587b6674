import { defineMethod } from '@tirl/core';

/**
 * OpenThinkIMG's V-ToolRL: GRPO-style training of a vision-language policy that calls visual tools, on the
 * accuracy reward alone (tool_grpo.py's default reward list), advantages (R − mean)/(std_unbiased + 1e-4)
 * per group, one update per batch (exp(ℓ − sg ℓ)·A, i.e. an unclipped on-policy ratio), sequence-mean of
 * token-means, k3 KL in the loss. tirl trains the real interleaved sequence with tool and image tokens
 * masked (the authors' trainer drops them and trains the first turn only: a pitfall not reproduced).
 */
export const vToolRl = defineMethod({
  name: 'v-toolrl',
  extends: 'base',
  paper: { title: 'OpenThinkIMG: Learning to Think with Images via Visual Tool Reinforcement Learning', arxiv: '2505.08617', section: 'V-ToolRL (r1_v/open_r1/tool_grpo.py)' },
  description: 'V-ToolRL: accuracy reward, group advantage with unbiased std + 1e-4, on-policy ratio, seq-mean-token-mean, k3 KL',
  plugins: [
    // tool_vllm_grpo_trainer.py: (R − mean) / (std + 1e-4), torch's unbiased std.
    ['advantage/grpo', { eps: 1e-4, stdKind: 'unbiased' }],
    // One update per batch: the ratio is exp(ℓ − sg ℓ) = 1 in value; the clip never binds.
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
    ['aggregation/seq-mean-token-mean'],
    // β: TRL 0.14's default 0.04 — unverified (methods notes agentic-2.md §23).
    ['regularizer/kl', { coef: 0.04, estimator: 'k3' }],
  ],
});
