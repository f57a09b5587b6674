import { definePlugin, policyTokenCount } from '@tirl/core';
import { z } from 'zod';
import { scoreEach } from '../util/score-each';

/** −coef · clamp((L − target) / (max − target), 0, 1) on generated tokens L. */
export const lengthPenalty = definePlugin({
  kind: 'reward',
  name: 'length-penalty',
  summary: 'Linear length penalty on generated tokens between a free target and a maximum, clamped to [−coef, 0]',
  paper: { title: 'Kimi k1.5: Scaling Reinforcement Learning with LLMs', arxiv: '2501.12599', section: '2.3.3 (length penalty; linear form here)' },
  options: z
    .object({
      target: z.number().int().nonnegative().default(1024),
      max: z.number().int().positive().default(4096),
      coef: z.number().nonnegative().default(1),
    })
    .strict()
    .refine((o) => o.max > o.target, { message: 'max must be greater than target', path: ['max'] }),
  create(options) {
    return {
      score: (input) =>
        scoreEach(input, (t) => {
          const x = (policyTokenCount(t) - options.target) / (options.max - options.target);
          return -options.coef * Math.min(1, Math.max(0, x));
        }),
    };
  },
});
