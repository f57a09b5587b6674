import { definePlugin } from '@tirl/core';
import { z } from 'zod';

/**
 * reward/brevity: weight · max(0, 1 − generated characters / target). Only policy-written segments count
 * (tool output is not the model's length).
 */
export const brevity = definePlugin({
  kind: 'reward',
  name: 'brevity',
  summary: 'Bonus for short generations: weight · max(0, 1 − generated characters / target)',
  // A linear, one-sided form of the paper's length reward (which is relative to the group's min/max length).
  paper: { title: 'Kimi k1.5: Scaling Reinforcement Learning with LLMs', arxiv: '2501.12599', section: '2.3.3 (length penalty)' },
  options: z
    .object({
      /** Generated characters at which the bonus reaches 0. */
      target: z.number().int().positive().default(200),
      /** Bonus of an empty generation. */
      weight: z.number().min(0).default(0.1),
    })
    .strict(),
  create: (o) => ({
    score: ({ trajectories }) => ({
      scores: trajectories.map((t) => {
        const chars = t.segments.filter((s) => s.source === 'policy').reduce((n, s) => n + (s.text ?? '').length, 0);
        return o.weight * Math.max(0, 1 - chars / o.target);
      }),
    }),
  }),
});
