import { defineMethod } from '@tirl/core';

/**
 * CodeV's TAPO: GRPO on R = r_acc + λ·r_tool, r_tool the mean over visual-tool steps of a step reward that
 * reads only the tool's input and output (does the crop contain the queried evidence?), −1 for tool abuse.
 * Needs a vision-language policy (`VlmPolicy`) and a task with visual tools that measure evidence
 * (`tool/image`: `containsEvidence` from the sample's evidence boxes, the judge-free stand-in for the
 * paper's VLM judge).
 */
export const codev = defineMethod({
  name: 'codev',
  extends: 'grpo',
  paper: { title: 'CodeV: Code with Images for Faithful Visual Reasoning via Tool-Aware Policy Optimization', arxiv: '2511.19661', section: 'TAPO (tool-aware policy optimization)' },
  description: 'TAPO: GRPO on outcome accuracy plus λ × the mean per-tool-step evidence reward (crop contains the evidence; −1 for a failed call)',
  plugins: [
    [
      'reward/weighted-sum',
      {
        components: [
          { id: 'reward/exact-match', name: 'accuracy' },
          // λ_tool 0.5: unverified — the paper's weighting was not retrieved (methods notes agentic-2.md §22:
          // "r_acc dominant, λ ≤ 0.5"). Step reward: 1 when the crop holds the evidence box, −1 for tool abuse.
          { id: 'reward/visual-evidence', name: 'tool', weight: 0.5, options: { key: 'containsEvidence', threshold: 1, errorPenalty: -1 } },
        ],
      },
    ],
  ],
  // The weighted sum holds the outcome accuracy itself.
  scoresCorrectness: true,
});
