import { definePlugin, type Sample } from '@tirl/core';
import { ScriptedPolicy } from '@tirl/core/testing';
import type { PolicyGenerator, Tokenizer } from '@tirl/core';
import { z } from 'zod';

/** A remote API stand-in: every call answers after a fixed latency (default 200 ms), using no CPU meanwhile. */
export const fixedLatencyTool = definePlugin({
  kind: 'tool',
  name: 'fixed-latency',
  summary: 'Benchmark tool: answers after a fixed delay, like a remote API',
  options: z.object({ latencyMs: z.number().int().nonnegative().default(200) }).strict(),
  create: (o) => ({
    name: 'lookup',
    description: 'Looks a key up in a remote service',
    parameters: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'], additionalProperties: false },
    call: async (args: unknown) => {
      await new Promise((r) => setTimeout(r, o.latencyMs));
      return { ok: true, observation: `value of ${(args as { key: string }).key}` };
    },
  }),
});

export const benchPlugins = [fixedLatencyTool];

export const benchRecipe = {
  name: 'bench-tool-latency',
  plugins: [['rollout/linear'], ['toolFormat/hermes'], ['tool/fixed-latency'], ['sampler/epoch-shuffle'], ['reward/exact-match'], ['advantage/grpo'], ['objective/ppo-clip'], ['aggregation/token-mean']] as [string, Record<string, unknown>?][],
  settings: {},
};

/** One tool call per rollout, then an answer: generation is free, so the tool's latency is the work. */
export const scriptedPolicy = (_model: unknown, tokenizer: Tokenizer): PolicyGenerator =>
  new ScriptedPolicy({
    tokenizer,
    script: (call) =>
      call.rowTurn === 0
        ? { text: `<tool_call>${JSON.stringify({ name: 'lookup', arguments: { key: 'k' } })}</tool_call>`, eos: false }
        : { text: '<answer>42</answer>' },
  });

export const benchSample = (i: number): Sample => ({ id: `s${i}`, messages: [{ role: 'user', content: 'Look up k.' }], answer: '42' });
