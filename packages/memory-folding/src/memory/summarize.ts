import { definePlugin, type MemoryManager, type Segment } from '@tirl/core';
import { z } from 'zod';
import { injected, promptSegments, tokenCount, triggerField } from '../context';

export const DEFAULT_SUMMARY_INSTRUCTION =
  'Your context is almost full. Summarise the work so far: what you found, what failed, and what to do next.';

/**
 * Summarise-by-policy: the policy writes the summary in the trajectory's own context
 * (`ctx.generateInContext`: the instruction as a user turn after the history), those tokens are a trained
 * fold action appended to the closed piece after the instruction, exactly where they were sampled; the new
 * context is the prompt plus the summary (masked there). Without `generateInContext` the rollout stops.
 */
export const summarizeMemory = definePlugin({
  kind: 'memory',
  name: 'summarize',
  summary: 'Summarise-by-policy: the policy writes a summary (trained fold tokens); the new context is prompt + summary',
  paper: { title: 'DeepAgent: A General Reasoning Agent with Scalable Toolsets', arxiv: '2510.21618', section: '3.4 (self-folding variant)' },
  options: z
    .object({
      triggerFraction: triggerField(0.8),
      instruction: z.string().min(1).default(DEFAULT_SUMMARY_INSTRUCTION),
      maxSummaryTokens: z.number().int().positive().default(256),
      /** Text before the summary in the new context. */
      header: z.string().default('\nSummary of your earlier work:\n'),
      footer: z.string().default('\n'),
    })
    .strict(),
  create: (o): MemoryManager => ({
    triggerFraction: o.triggerFraction,
    async onOverflow({ trajectory, budget, tokenizer, generateInContext }) {
      if (!generateInContext) return { kind: 'stop' };
      const { text, segments } = await generateInContext(o.instruction, { maxNewTokens: o.maxSummaryTokens });
      const written = segments.find((s) => s.source === 'policy');
      if (!written) return { kind: 'stop' };
      const role = trajectory.role;
      const summary: Segment = { source: 'injected', role, tokenIds: [...written.tokenIds], text };
      const context = [...promptSegments(trajectory), injected(tokenizer, role, o.header), summary, injected(tokenizer, role, o.footer)];
      if (tokenCount(context) >= o.triggerFraction * budget) return { kind: 'stop' };
      return { kind: 'fold', context, foldSegments: segments.map((s) => ({ ...s, role })) };
    },
  }),
});
