import { parseOptions, Rng, type AnyPluginDefinition, type RolloutInput, type RolloutOutput, type RolloutStrategy, type Sample, type Tool, type ToolFormat, type ToolResult } from '@tirl/core';
import { ScriptedPolicy, testPluginContext, type Script } from '@tirl/core/testing';

/** Other plugin packages are loaded at run time, as an experiment would load them. */
export function load<T extends Record<string, unknown>>(pkg: string): T {
  return require(pkg as string) as T;
}

const { hermesFormat, linearRollout } = load<{ hermesFormat: AnyPluginDefinition; linearRollout: AnyPluginDefinition }>('@tirl/rollout-tree');

/** Creates a plugin instance with validated options and a test context. */
export function create<T>(def: AnyPluginDefinition, options: Record<string, unknown> = {}): T {
  return def.create(parseOptions(def.id, def.options, options), testPluginContext(def.id)) as T;
}

export const question: Sample = { id: 'q1', messages: [{ role: 'user', content: 'What is the capital of France?' }], answer: 'Paris' };

export const callText = (name: string, args: Record<string, unknown>) => `<tool_call>${JSON.stringify({ name, arguments: args })}</tool_call>`;

export function echoTool(name = 'search'): Tool {
  return {
    name,
    description: `${name} tool`,
    parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'], additionalProperties: false },
    call: async (args): Promise<ToolResult> => ({ ok: true, observation: `result for ${(args as { query: string }).query}` }),
  };
}

export interface ScriptedRun {
  policy: ScriptedPolicy;
  output: RolloutOutput;
  input: RolloutInput;
}

/** Runs `rollout/linear` on a scripted policy with the given router and tools. */
export async function scriptedRollout(
  script: Script,
  over: Partial<RolloutInput> & { rollouts?: number; maxSpawnDepth?: number; logProb?: number; engine?: Record<string, unknown> } = {},
): Promise<ScriptedRun> {
  const policy = new ScriptedPolicy({ script, logProb: over.logProb ?? -0.5 });
  const input: RolloutInput = {
    samples: [{ sample: question, rollouts: over.rollouts ?? 2 }],
    policy,
    tools: [],
    toolFormat: create<ToolFormat>(hermesFormat),
    decode: { maxNewTokens: 200 },
    limits: { maxTurns: 4, maxTotalTokens: 4000, maxToolCalls: 8, toolTimeoutMs: 2000, concurrency: 4 },
    rng: new Rng(1),
    step: 0,
    ...over,
  };
  const rollout = create<RolloutStrategy>(linearRollout, { maxSpawnDepth: over.maxSpawnDepth ?? 1, ...over.engine });
  return { policy, input, output: await rollout.rollout(input) };
}
