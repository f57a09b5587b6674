import { definePlugin, type MemoryManager, type Segment } from '@tirl/core';
import { z } from 'zod';
import { injected, promptSegments, tokenCount, triggerField } from '../context';

export const MEMORY_PROMPTS = {
  episodic:
    'Write the episodic memory of the work so far as JSON only: {"task_description": string, "key_events": [{"step": number, "description": string, "outcome": string}], "current_progress": string}.',
  working:
    'Write the working memory as JSON only: {"immediate_goal": string, "current_challenges": [string], "next_actions": [{"type": "tool_call"|"planning"|"decision", "description": string}]}.',
  tool:
    'Write the tool memory as JSON only: {"tools_used": [{"tool_name": string, "success_rate": number, "effective_parameters": [string], "common_errors": [string], "response_pattern": string, "experience": string}], "derived_rules": [string]}.',
} as const;

/** The memory as compact JSON when it parses, else the raw text wrapped as `{"unparsed": …}`. */
export function memoryJson(text: string): string {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start !== -1 && end > start) {
    try {
      return JSON.stringify(JSON.parse(text.slice(start, end + 1)));
    } catch {
      // falls through to the wrapped form
    }
  }
  return JSON.stringify({ unparsed: text.trim() });
}

/**
 * DeepAgent memory folding: the history is compressed into episodic, working and tool memories (JSON),
 * the new context is the original prompt plus "Memory of previous folded thoughts: …". Here the policy
 * writes the three memories (self-folding) in the trajectory's own context, one after another
 * (`ctx.generateInContext`), so their tokens are trained fold actions sampled where they train; the paper
 * issues three parallel calls to an auxiliary model, whose text would be context only. A fold runs at the
 * budget trigger or when the policy writes `foldTag` (the paper's `<fold_thought>` action). At most
 * `maxFolds` folds, then the rollout stops.
 */
export const deepAgentMemory = definePlugin({
  kind: 'memory',
  name: 'deepagent',
  summary: 'DeepAgent folding: episodic, working and tool memories as JSON replace the history',
  paper: { title: 'DeepAgent: A General Reasoning Agent with Scalable Toolsets', arxiv: '2510.21618', section: '3.4 (autonomous memory folding)' },
  options: z
    .object({
      triggerFraction: triggerField(0.8),
      /** DeepAgent max_fold_limit. */
      maxFolds: z.number().int().nonnegative().default(3),
      maxMemoryTokens: z.number().int().positive().default(256),
      /** The action that makes the policy fold on its own (a stop string); '' = folds at the budget only. */
      foldTag: z.string().default('<fold_thought>'),
    })
    .strict(),
  create: (o): MemoryManager => ({
    triggerFraction: o.triggerFraction,
    ...(o.foldTag ? { foldTag: o.foldTag } : {}),
    async onOverflow({ trajectory, budget, tokenizer, generateInContext }) {
      const folds = Number(trajectory.meta?.folds ?? 0);
      if (!generateInContext || folds >= o.maxFolds) return { kind: 'stop' };
      const calls = trajectory.toolCalls.map((c) => `${c.name}(${JSON.stringify(c.args)}) -> ${c.ok ? 'ok' : c.error}`).join('\n');
      const role = trajectory.role;
      const kinds = ['episodic', 'working', 'tool'] as const;
      const results = await Promise.all(
        kinds.map((k) => generateInContext(`${k === 'tool' ? `Tool calls:\n${calls}\n\n` : ''}${MEMORY_PROMPTS[k]}`, { maxNewTokens: o.maxMemoryTokens })),
      );
      const [episodic, working, tool] = results.map((r) => memoryJson(r.text));
      const block = `\nMemory of previous folded thoughts:\nEpisode Memory: ${episodic}\nWorking Memory: ${working}\nTool Memory: ${tool}\n`;
      const context = [...promptSegments(trajectory), injected(tokenizer, role, block)];
      if (tokenCount(context) >= o.triggerFraction * budget) return { kind: 'stop' };
      const foldSegments: Segment[] = results.flatMap((r) => r.segments.map((s) => ({ ...s, role })));
      return { kind: 'fold', context, foldSegments };
    },
  }),
});
