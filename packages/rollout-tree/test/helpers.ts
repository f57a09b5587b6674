import { Rng, type RolloutInput, type RolloutLimits, type Sample, type Tool, type ToolResult } from '@tirl/core';
import { ScriptedPolicy, type Script } from '@tirl/core/testing';
import { HermesFormat } from '../src/formats/hermes';

export const limits = (over: Partial<RolloutLimits> = {}): RolloutLimits => ({
  maxTurns: 4,
  maxTotalTokens: 2000,
  maxToolCalls: 8,
  toolTimeoutMs: 1000,
  concurrency: 4,
  ...over,
});

export const sample = (id = 'q1', question = 'What is 2+2?'): Sample => ({ id, messages: [{ role: 'user', content: question }] });

/** A tool with one string argument whose call is a function of it. */
export function echoTool(name = 'search', respond: (q: string, signal?: AbortSignal) => Promise<ToolResult> | ToolResult = (q) => ({ ok: true, observation: `result for ${q}` }), arg = 'query'): Tool {
  return {
    name,
    description: `${name} tool`,
    parameters: { type: 'object', properties: { [arg]: { type: 'string' } }, required: [arg], additionalProperties: false },
    call: async (args, ctx) => respond((args as Record<string, string>)[arg], ctx.signal),
  };
}

export const call = (name: string, args: Record<string, unknown>) => `<tool_call>${JSON.stringify({ name, arguments: args })}</tool_call>`;

export function makeInput(script: Script, over: Partial<RolloutInput> = {}, policyOpts: { maxContext?: number; logProb?: number | 'seeded' } = {}) {
  const policy = new ScriptedPolicy({ script, ...policyOpts });
  const input: RolloutInput = {
    samples: [{ sample: sample(), rollouts: 1 }],
    policy,
    tools: [echoTool()],
    toolFormat: new HermesFormat({ stopAfterCall: true, observationPrefix: '\n', observationSuffix: '\n' }),
    decode: { maxNewTokens: 200 },
    limits: limits(),
    rng: new Rng(1),
    step: 0,
    ...over,
  };
  return { policy, input };
}

export const engineDefaults = { budgetLine: false, maxSpawnDepth: 2, entropyTokens: 20 };
