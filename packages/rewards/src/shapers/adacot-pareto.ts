import { definePlugin, policyText } from '@tirl/core';
import { z } from 'zod';
import { scoreRoots } from '../util/score-each';

const ORIGIN = 'reward/adacot-pareto';

/** The leading think block of a response: `undefined` when the response does not open with one. */
export function leadingThink(text: string, open: string, close: string): { content: string } | undefined {
  const t = text.trimStart();
  if (!t.startsWith(open)) return undefined;
  const end = t.indexOf(close, open.length);
  if (end === -1) return undefined;
  return { content: t.slice(open.length, end) };
}

/**
 * AdaCoT's Pareto penalties, added to the task's base reward (the trainer sums rewards, so R = R_base +
 * this): −α1·P_miss − α2·P_over − γ·P_fmt, where P_miss = 1[the query needs CoT ∧ the think block is
 * empty], P_over = 1[the query needs no CoT ∧ the think block is not empty], P_fmt = 1[no leading think
 * block]. Moving (α1, α2) moves the triggering point along the performance/cost frontier.
 */
export const adacotPareto = definePlugin({
  kind: 'reward',
  name: 'adacot-pareto',
  summary: 'AdaCoT Pareto penalties: −α1·1[needs CoT ∧ empty think] − α2·1[no CoT needed ∧ non-empty think] − γ·1[no think block] (added to the base reward)',
  paper: {
    title: 'AdaCoT: Pareto-Optimal Adaptive Chain-of-Thought Triggering via Reinforcement Learning',
    arxiv: '2505.11896',
    section: '3.3 (RL reward with penalty coefficients; α1, α2, γ unverified: the defaults are tirl choices)',
  },
  options: z
    .object({
      /** α1: penalty for skipping reasoning on a query labelled as needing it (unverified default). */
      missPenalty: z.number().min(0).default(0.5),
      /** α2: penalty for reasoning on a query labelled as not needing it (unverified default). */
      overPenalty: z.number().min(0).default(0.5),
      /** γ: penalty for a response without a leading think block. */
      formatPenalty: z.number().min(0).default(1),
      thinkOpen: z.string().min(1).default('<think>'),
      thinkClose: z.string().min(1).default('</think>'),
      /** Boolean in `sample.meta` saying whether the query needs reasoning (the paper's auxiliary-model label). */
      labelKey: z.string().min(1).default('needsCot'),
      /** A sample without the label: an error (a failure for that rollout) or no miss/over penalty. */
      unlabelled: z.enum(['error', 'no-penalty']).default('error'),
    })
    .strict(),
  create(o) {
    return {
      score: (input) =>
        scoreRoots(input, (t, sample) => {
          const label = sample?.meta?.[o.labelKey];
          if (typeof label !== 'boolean' && o.unlabelled === 'error') {
            throw new Error(`${ORIGIN}: sample "${sample?.id}" has no boolean meta.${o.labelKey} (set it, or unlabelled: "no-penalty")`);
          }
          const think = leadingThink(policyText(t), o.thinkOpen, o.thinkClose);
          const triggered = think !== undefined && think.content.trim().length > 0;
          const miss = think !== undefined && label === true && !triggered ? 1 : 0;
          const over = label === false && triggered ? 1 : 0;
          const fmt = think === undefined ? 1 : 0;
          const penalty = o.missPenalty * miss + o.overPenalty * over + o.formatPenalty * fmt;
          const score = penalty === 0 ? 0 : -penalty;
          return { score, components: { triggered: triggered ? 1 : 0, miss, over, format_error: fmt } };
        }),
    };
  },
});
