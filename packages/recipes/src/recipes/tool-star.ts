import { defineMethod, type EntryOp } from '@tirl/core';

/** Tool-Star's self-critic DPO on self-sampled pairs, with `policyGradientSteps` GRPO steps between DPO steps. */
function selfCritic(policyGradientSteps: number): EntryOp[] {
  return [
    // Released LLaMA-Factory config qwen_lora_dpo_2.yaml: pref_beta 0.1, pref_loss sigmoid.
    ['preference/dpo', { beta: 0.1, variant: 'sigmoid' }],
    // Max- vs. min-reward rollout of each query (K = groupSize), ties skipped, within a data source (agentic-2 §7 [REC]).
    ['pairs/self-critic', { policyGradientSteps, preferenceSteps: 1 }],
    // The DPO reference is the checkpoint each DPO phase starts from.
    ['referenceSchedule/phase-start'],
  ];
}

export const toolStar = defineMethod({
  name: 'tool-star',
  extends: 'base',
  paper: { title: 'Tool-Star: Empowering LLM-Brained Multi-Tool Reasoner via Reinforcement Learning', arxiv: '2505.16410', section: '3.3' },
  description: 'GRPO with <search> and <python> tools and the hierarchical Tool-Star reward; no KL; optional self-critic DPO stage (switch selfCritic)',
  plugins: [
    // re_search.py: −1 bad format, F1 (+0.1 when both tools were used); math 0 / 0.1 / 1.
    ['reward/tool-star', { bonus: 0.1, mathWrong: 0.1 }],
    ['advantage/grpo'],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
  ],
  // The Tool-Star reward scores format and answer itself; KL coefficient 0 (agentic.md §7).
  scoresCorrectness: true,
  switches: {
    selfCritic: {
      description: 'The multi-tool self-critic RL stage (optional in the released code): DPO on pairs of the policy\'s own scored rollouts',
      default: 'off',
      values: {
        off: {},
        // GRPO phases of 10 steps alternate with one DPO step (the interleaving is UNVERIFIED: App. B.1 not available).
        alternate: { plugins: selfCritic(10) },
        // The stage alone, from an RL checkpoint: every step samples, scores, pairs and trains DPO
        // (released: lr 5e-6, 3 epochs, LoRA rank 8: set them with --set optimizer.lr=5e-6 ppoEpochs=3).
        stage: { plugins: selfCritic(0) },
      },
    },
  },
});
