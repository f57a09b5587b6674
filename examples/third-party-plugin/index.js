'use strict';
// Plain CommonJS so that installing the package needs no build step.
const { appendFileSync } = require('node:fs');
const { definePlugin, defineService, Tokens } = require('@tirl/core');
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

/**
 * service file-logger: replaces the run's logger (Tokens.logger) with one that appends each line to a file,
 * for the experiments that name it (`services: [[file-logger, { path: run.log }]]` in the experiment file).
 */
const fileLogger = defineService({
  name: 'file-logger',
  summary: 'Run log lines appended to a file instead of the console',
  token: Tokens.logger,
  options: z.object({ path: z.string().min(1) }).strict(),
  create: (o) => ({
    info: (m) => appendFileSync(o.path, `${m}\n`),
    warn: (m) => appendFileSync(o.path, `warning: ${m}\n`),
  }),
});

module.exports = { brevity, fileLogger, plugins: [brevity], services: [fileLogger] };
