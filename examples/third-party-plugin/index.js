'use strict';
// Plain CommonJS so that installing the package needs no build step.
const { definePlugin } = require('@tirl/core');
const { z } = require('zod');

/**
 * reward/brevity: 1 − (generated characters / target), floored at 0, times `weight`. Only policy-written
 * segments count (tool output is not the model's length).
 */
const brevity = definePlugin({
  kind: 'reward',
  name: 'brevity',
  summary: 'Bonus for short generations: weight · max(0, 1 − generated characters / target)',
  options: z
    .object({
      target: z.number().int().positive().default(200),
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

module.exports = { brevity, plugins: [brevity] };
