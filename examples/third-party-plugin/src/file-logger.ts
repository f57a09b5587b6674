import { appendFileSync } from 'node:fs';
import { defineService, Tokens, type Logger } from '@tirl/core';
import { z } from 'zod';

/**
 * service file-logger: replaces the run's logger (`Tokens.logger`) with one that appends each line to a
 * file, for the experiments that name it (`services: [[file-logger, { path: run.log }]]`).
 */
export const fileLogger = defineService({
  name: 'file-logger',
  summary: 'Run log lines appended to a file instead of the console',
  token: Tokens.logger,
  options: z.object({ path: z.string().min(1) }).strict(),
  create: (o): Logger => ({
    info: (m) => appendFileSync(o.path, `${m}\n`),
    warn: (m) => appendFileSync(o.path, `warning: ${m}\n`),
  }),
});
