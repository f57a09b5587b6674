import { definePlugin, policyTokenCount } from '@tirl/core';
import { z } from 'zod';
import { scoreEach } from '../util/score-each';

/**
 * DAPO soft overlong penalty on generated tokens L (tool outputs excluded):
 * 0 when L ≤ Lmax − Lcache, else −(L − (Lmax − Lcache)) / Lcache · factor, floored at −factor when `cap`.
 */
export function softOverlongPenalty(length: number, maxLength: number, cache: number, factor: number, cap: boolean): number {
  const exceed = length - (maxLength - cache);
  if (exceed <= 0) return 0;
  const penalty = -(exceed / cache) * factor;
  return cap ? Math.max(penalty, -factor) : penalty;
}

export const softOverlong = definePlugin({
  kind: 'reward',
  name: 'soft-overlong',
  summary: 'DAPO soft overlong punishment: a linear penalty over the last Lcache tokens before Lmax (generated tokens only)',
  paper: { title: 'DAPO: An Open-Source LLM Reinforcement Learning System at Scale', arxiv: '2503.14476', section: 'Eq. 13; Lmax 20480, Lcache 4096' },
  options: z
    .object({
      maxLength: z.number().int().positive().default(20480),
      cache: z.number().int().positive().default(4096),
      factor: z.number().nonnegative().default(1),
      /** Floor the penalty at −factor beyond Lmax (paper Eq. 13); verl's manager has no floor. */
      cap: z.boolean().default(true),
    })
    .strict()
    .refine((o) => o.cache <= o.maxLength, { message: 'cache must not exceed maxLength', path: ['cache'] }),
  create(options) {
    return {
      score: (input) =>
        scoreEach(input, (t) => softOverlongPenalty(policyTokenCount(t), options.maxLength, options.cache, options.factor, options.cap)),
    };
  },
});
