import { defineMethod } from '@tirl/core';

/*
 * Preference optimisation and step-level methods. Each trains through the trainer's preference step (a
 * `preference` loss + a `pairs` source, optionally a `referenceSchedule`) or, for DAPO-DA and RTO, its
 * ordinary policy-gradient step. Plugins live in @tirl/preference.
 */

/** DPO on offline pairs (each sample's `preference`): no rollouts. */
export const dpo = defineMethod({
  name: 'dpo',
  extends: 'base',
  paper: { title: 'Direct Preference Optimization: Your Language Model is Secretly a Reward Model', arxiv: '2305.18290', section: '§4 eq. 7' },
  description: 'Offline DPO on preference pairs (sigmoid loss on summed log-ratios to the frozen reference)',
  // β = 0.1: the reference code's examples.
  plugins: [['preference/dpo', { beta: 0.1 }], ['pairs/offline']],
});

/** SimPO: no reference, length-normalised reward with margin γ. */
export const simpo = defineMethod({
  name: 'simpo',
  extends: 'dpo',
  paper: { title: 'SimPO: Simple Preference Optimization with a Reference-Free Reward', arxiv: '2405.14734', section: '§2 eq. 6' },
  description: 'Offline SimPO: length-normalised log-likelihood margin, γ/β, no reference model',
  // β = 2.0, γ/β = 0.25: the released SimPOConfig defaults (the recipes per model are in README).
  plugins: [['preference/simpo', { beta: 2.0, gammaBetaRatio: 0.25 }]],
});

/** TGDPO: DPO with per-token guidance carried by each pair (`chosenGuidance` / `rejectedGuidance`). */
export const tgdpo = defineMethod({
  name: 'tgdpo',
  extends: 'dpo',
  paper: { title: 'TGDPO: Harnessing Token-Level Reward Guidance for Enhancing Direct Preference Optimization', arxiv: '2506.14574', section: '§4' },
  description: 'Offline DPO with token-level reward guidance from the pairs',
  // β = 0.1, α = 0.5: the released example config.
  plugins: [['preference/tgdpo', { beta: 0.1, alpha: 0.5 }], ['pairs/offline', { requireGuidance: true }]],
});

/** APO: iterative DPO on pairs ranked from the policy's own samples, with Nesterov extrapolation between rounds. */
export const apo = defineMethod({
  name: 'apo',
  extends: 'dpo',
  paper: { title: 'Accelerated Preference Optimization for Large Language Model Alignment', arxiv: '2410.06293', section: 'Algorithm 1, §5.2, App. F.1' },
  description: 'Iterative DPO: best-vs-worst pairs from each group of the policy\'s samples; Nesterov extrapolation of policy and reference after each round',
  plugins: [
    ['pairs/group'],
    // App. F.1: α = 0.3. A round here is `every` steps (the paper: one pass over a third of UltraFeedback).
    ['referenceSchedule/nesterov', { alpha: 0.3, every: 1 }],
  ],
});

/** SePPO (LLM transcription): anchors vs. samples of previous checkpoints; the reference is a random past checkpoint. */
export const seppo = defineMethod({
  name: 'seppo',
  extends: 'dpo',
  paper: { title: 'SePPO: Semi-Policy Preference Optimization for Diffusion Alignment', arxiv: '2410.05255', section: '§3' },
  description: 'Anchor response vs. a previous checkpoint\'s sample, anchor-based adaptive flipper, random past checkpoint as reference (LLM form of a diffusion method)',
  plugins: [
    ['preference/seppo', { beta: 0.1 }],
    ['pairs/seppo-anchor', { keepPerSample: 7 }],
    // Checkpoints every 30 updates, K = 7 kept, reference drawn uniformly (the text-to-image run).
    ['referenceSchedule/random-past-checkpoint', { interval: 30, keep: 7, mode: 'random' }],
  ],
});

/** TP-LLaMA: DPO on step-wise pairs from the failed branches of inference trees. */
export const tpLlama = defineMethod({
  name: 'tp-llama',
  extends: 'dpo',
  paper: { title: 'Advancing Tool-Augmented Large Language Models: Integrating Insights from Errors in Inference Trees', arxiv: '2406.07115', section: '§3' },
  description: 'DPO on step-wise pairs (success-path step ≻ failed sibling step) mined from tree-search rollouts',
  plugins: [['pairs/tree-stepwise', { successThreshold: 1 }], ['rollout/tree-search', { mode: 'tree-grpo', leavesPerTree: 3, expansionsPerRound: 2, rounds: 1 }]],
});

/** iTool: step pairs mined from search trees, SimPO, repeated every step with the current policy. */
export const itool = defineMethod({
  name: 'itool',
  extends: 'simpo',
  paper: { title: 'Boosting Tool Use of Large Language Models via Iterative Reinforced Fine-Tuning', arxiv: '2501.09766', section: '§3.3' },
  description: 'Iterative preference training on best-vs-worst step pairs of tree-search rollouts (SimPO)',
  plugins: [
    // Released run_mcts_dpo.sh: pref_beta 2.5, simpo_gamma 0.5 (passed as γ, so γ/β = 0.2).
    ['preference/simpo', { beta: 2.5, gammaBetaRatio: 0.2 }],
    ['pairs/mcts-step', { valueThreshold: 0.1, acceptValue: -0.3, overlapLimit: 0.95 }],
    // num_actions 3, depth 3 in the release; here: tree-search expansions of the policy's own rollouts.
    ['rollout/tree-search', { mode: 'portool', branchFactor: 3 }],
  ],
});

/** DAPO-DA: step advantages from a Monte-Carlo critic on rollout trees, squared actor loss. */
export const dapoDa = defineMethod({
  name: 'dapo-da',
  extends: 'base',
  paper: { title: 'Improving Multi-Step Reasoning Abilities of Large Language Models with Direct Advantage Policy Optimization', arxiv: '2412.18279', section: '§3' },
  description: 'Step-level advantages (Monte-Carlo success rate below each tree node) regressed onto the step log-ratio to the reference',
  plugins: [
    ['advantage/step-value'],
    ['objective/dapo-da', { beta: 0.1 }],
    ['aggregation/seq-mean-token-sum'],
    ['rollout/tree-search', { mode: 'tree-grpo', leavesPerTree: 3, expansionsPerRound: 2, rounds: 1 }],
  ],
});

/** RTO: PPO whose token rewards include a DPO model's log-ratio to the reference. */
export const rto = defineMethod({
  name: 'rto',
  extends: 'ppo',
  paper: { title: 'DPO Meets PPO: Reinforced Token Optimization for RLHF', arxiv: '2404.18922', section: '§4' },
  description: 'PPO with dense token rewards β₁·log(π_dpo/π_ref) from a DPO-trained model (the host registers it as Tokens.tokenRewardModel)',
  plugins: [
    // Released train_rto_llama_8b.sh: dpo_reward_scale 0.05, dpo_reward_clip 0.05, init_kl_coef 0.01, GAE λ 0.95.
    ['regularizer/dpo-token-reward', { scale: 0.05, clip: 0.05 }],
    ['regularizer/kl', { placement: 'reward', estimator: 'k1', coef: 0.01 }],
    ['advantage/gae', { gamma: 1, lambda: 0.95 }],
  ],
});

/** In the order parents first. */
export const preferenceMethods = [dpo, simpo, tgdpo, apo, seppo, tpLlama, itool, dapoDa, rto];
