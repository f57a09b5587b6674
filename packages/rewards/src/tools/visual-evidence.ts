import { definePlugin, type ToolCallRecord } from '@tirl/core';
import { z } from 'zod';
import { scoreRoots } from '../util/score-each';

/**
 * CodeV/TAPO step reward from the evidence a visual tool attached: per tool step, errorPenalty for a
 * failed call (tool abuse, invalid coordinates), else 1 when `evidence[key] ≥ threshold` (or the graded
 * min(1, value/threshold)), 0 when the evidence is missing or low; the trajectory scores the mean.
 */
export const visualEvidence = definePlugin({
  kind: 'reward',
  name: 'visual-evidence',
  summary: 'Per-tool-step reward from evidence measured by visual tools (e.g. IoU of a crop with the gold box), averaged over tool steps (CodeV TAPO)',
  paper: { title: 'CodeV: Code with Images for Faithful Visual Reasoning via Tool-Aware Policy Optimization', arxiv: '2511.19661', section: 'TAPO tool reward' },
  options: z
    .object({
      /** Evidence field read from `toolCalls[].evidence`. */
      key: z.string().min(1).default('iou'),
      threshold: z.number().positive().max(1).default(0.5),
      /** Partial credit min(1, value/threshold) instead of a 0/1 step reward. */
      graded: z.boolean().default(false),
      /** Step reward of a failed call. */
      errorPenalty: z.number().max(0).default(-1),
      /** Tools whose calls are steps (empty: every call). */
      tools: z.array(z.string().min(1)).default([]),
      /** Score of a trajectory without tool steps. */
      noSteps: z.number().default(0),
    })
    .strict(),
  create(options) {
    const stepReward = (c: ToolCallRecord): number => {
      if (!c.ok) return options.errorPenalty;
      const v = c.evidence?.[options.key];
      if (typeof v !== 'number' || !Number.isFinite(v)) return 0;
      return options.graded ? Math.min(1, Math.max(0, v) / options.threshold) : v >= options.threshold ? 1 : 0;
    };
    return {
      score: (input) =>
        scoreRoots(input, (t) => {
          const steps = t.toolCalls.filter((c) => options.tools.length === 0 || options.tools.includes(c.name));
          if (steps.length === 0) return { score: options.noSteps, components: { steps: 0 } };
          return { score: steps.reduce((s, c) => s + stepReward(c), 0) / steps.length, components: { steps: steps.length } };
        }),
    };
  },
});
