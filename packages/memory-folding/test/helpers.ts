import { parseOptions, Rng, type AnyPluginDefinition, type MemoryManager, type RolloutInput, type RolloutOutput, type RolloutStrategy, type Tool, type ToolFormat } from '@tirl/core';
import { ScriptedPolicy, testPluginContext, type Script } from '@tirl/core/testing';

/** Other plugin packages are loaded at run time, as an experiment would load them. */
export function load<T>(pkg: string): T {
  return require(pkg as string) as T;
}

const { xmlTagsFormat, linearRollout } = load<{ xmlTagsFormat: AnyPluginDefinition; linearRollout: AnyPluginDefinition }>('@tirl/rollout-tree');

export function create<T>(def: AnyPluginDefinition, options: Record<string, unknown> = {}): T {
  return def.create(parseOptions(def.id, def.options, options), testPluginContext(def.id)) as T;
}

/** A search tool whose observation is 40 characters. */
export const searchTool: Tool = {
  name: 'search',
  description: 'search',
  parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  call: async (args) => ({ ok: true, observation: `hit:${String((args as { query: string }).query).padEnd(36, '.')}` }),
};

/**
 * The agent searches until its context shows `searches` search tags (the tool description has one), then
 * answers. Fold generations (the row's last user turn is a fold instruction, not the task) answer with
 * `foldReply` of that instruction.
 */
export function agentScript(foldReply: (text: string) => string = () => 'SUMMARY', searches = 3): Script {
  return ({ text }) => {
    const lastUserTurn = text.slice(text.lastIndexOf('<|user|>'));
    if (!lastUserTurn.includes('Find it.')) return foldReply(lastUserTurn);
    const turns = (text.match(/<search>/g) ?? []).length;
    return turns < searches ? `<search>q${turns}</search>` : '<answer>done</answer>';
  };
}

export async function rollout(script: Script, memory: MemoryManager | undefined, maxContext: number, rollouts = 2): Promise<{ output: RolloutOutput; policy: ScriptedPolicy }> {
  const policy = new ScriptedPolicy({ script, maxContext, logProb: 'seeded' });
  const input: RolloutInput = {
    samples: [{ sample: { id: 'q', messages: [{ role: 'system', content: 'Agent.' }, { role: 'user', content: 'Find it.' }], answer: 'done' }, rollouts }],
    policy,
    tools: [searchTool],
    toolFormat: create<ToolFormat>(xmlTagsFormat, { tags: ['search'] }),
    memory,
    decode: { maxNewTokens: 40 },
    limits: { maxTurns: 8, maxTotalTokens: 4000, maxToolCalls: 8, toolTimeoutMs: 2000, concurrency: 2 },
    rng: new Rng(4),
    step: 0,
  };
  const strategy = create<RolloutStrategy>(linearRollout);
  return { output: await strategy.rollout(input), policy };
}
