import { definePlugin, type MemoryManager } from '@tirl/core';
import { z } from 'zod';
import { carriedTail, historySegments, promptSegments, tokenCount, triggerField } from '../context';

/**
 * Truncation: the new context is the original prompt plus the last `keepTokens` tokens of the history
 * (fewer when the trigger would be hit again at once). The closed piece trains as its own row.
 */
export const slidingWindowMemory = definePlugin({
  kind: 'memory',
  name: 'sliding-window',
  summary: 'Truncation: keep the prompt and the last N tokens of the history, continue in a new row',
  paper: { title: 'DeepAgent (context management baselines)', arxiv: '2510.21618', section: '3.4' },
  options: z
    .object({
      triggerFraction: triggerField(0.9),
      /** History tokens kept after the prompt. */
      keepTokens: z.number().int().nonnegative().default(256),
    })
    .strict(),
  create: (o): MemoryManager => ({
    triggerFraction: o.triggerFraction,
    async onOverflow({ trajectory, budget, tokenizer }) {
      const prompt = promptSegments(trajectory);
      const room = Math.floor(o.triggerFraction * budget) - tokenCount(prompt) - 1;
      if (room < 0) return { kind: 'stop' };
      const tail = carriedTail(historySegments(trajectory), Math.min(o.keepTokens, room), tokenizer);
      return { kind: 'fold', context: [...prompt, ...tail] };
    },
  }),
});
