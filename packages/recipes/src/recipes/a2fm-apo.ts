import { defineMethod } from '@tirl/core';

const MODES = ['default_agent', 'reasoning_agent', 'toolcalling_agent'];

/**
 * A²FM's APO: each group mixes ρ rollouts per mode with the mode tag injected (masked) and γ self-routed
 * rollouts (the tag trained); the reward acc × adaptive × format scales a non-instant answer down by
 * 1 − p^α, p the forced instant rollouts' accuracy on the query; GRPO over the whole mixed group.
 */
export const a2fmApo = defineMethod({
  name: 'a2fm-apo',
  extends: 'grpo',
  paper: {
    title: 'A^2FM: An Adaptive Agent Foundation Model for Tool-Aware Hybrid Reasoning',
    arxiv: '2510.12838',
    section: '3.3 (APO: rollout, reward, GRPO over the mixed group); experimental setup (ρ = γ = 3, α = 2, lr 1e-6), read from secondary summaries',
  },
  description: 'APO: forced-mode (prefix-injected, masked) and self-routed rollouts in one GRPO group; reward accuracy × (1 − p^α for non-instant modes) × mode format',
  plugins: [
    // §3.3: ρ = γ = 3 → G = 12; modes and tag from infer/prompts.py (default_agent is the instant mode).
    ['rollout/a2fm-apo', { modes: MODES, rho: 3, gamma: 3 }],
    // §3.3: R = r_acc · r_adaptive · r_format, α = 2; p = accuracy of the forced instant rollouts of the group.
    // No easiness threshold (τ not given: 0) and the penalty on forced non-instant rollouts too (agentic-2 §1 (b), (c)).
    ['reward/adaptive-mode', { alpha: 2, instantMode: 'default_agent', modes: MODES, easyThreshold: 0, penalizeForced: true }],
    // GRPO over all G rollouts together, PPO clip (GRPO base).
    ['advantage/grpo'],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
  ],
  // Experimental setup: 12 rollouts per prompt, APO learning rate 1e-6.
  settings: { groupSize: 12, optimizer: { lr: 1e-6 } },
  scoresCorrectness: true,
});
