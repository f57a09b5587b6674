import { definePlugin, type MemoryManager } from '@tirl/core';
import { z } from 'zod';
import { triggerField } from '../context';

/** No context management: the rollout stops (finish reason `context`) when it reaches the trigger. */
export const failMemory = definePlugin({
  kind: 'memory',
  name: 'fail',
  summary: 'Stops the rollout when its context reaches the budget (no folding)',
  options: z.object({ triggerFraction: triggerField(1) }).strict(),
  create: (o): MemoryManager => ({ triggerFraction: o.triggerFraction, onOverflow: async () => ({ kind: 'stop' }) }),
});
