import type { ChatMessage, EncodedChat, RolloutInput, Tool } from '@tirl/core';
import { TirlError } from '@tirl/core';
import type { Agent } from './agent';
import { ToolBudget } from './budget';
import type { AgentSpec, EngineContext } from './context';

/** Renders the agent's prompt (with its tools described), adds it as a new row and registers the agent. */
export function createAgent(ctx: EngineContext, spec: AgentSpec): Agent {
  const { ids, text, images } = renderPrompt(ctx, spec);
  const row = images.length ? ctx.session.add(ids, images) : ctx.session.add(ids);
  const { limits } = ctx.input;
  const agent: Agent = {
    id: spec.id,
    sampleId: spec.sample.id,
    groupId: spec.groupId,
    rootId: spec.rootId,
    parentId: spec.parentId,
    spawnTurn: spec.spawnTurn,
    role: spec.role,
    depth: spec.depth,
    sample: spec.sample,
    row,
    segments: [{ source: 'prompt', role: spec.role, tokenIds: ids, text, ...(images.length ? { images } : {}) }],
    toolCalls: [],
    tools: spec.tools,
    budget: new ToolBudget(limits.maxToolCalls, limits.toolBudgets ?? {}),
    turn: 0,
    maxTurns: spec.maxTurns,
    finalPrompt: spec.finalPrompt,
    alwaysFinal: spec.alwaysFinal,
    summaryReserve: spec.summaryReserve,
    failedPrompt: spec.failedPrompt,
    responseTokens: 0,
    done: false,
    lastTurnCalls: 0,
    path: spec.path,
    spawned: [],
    pieces: [],
    actionSpans: [],
    folds: 0,
  };
  ctx.live.add(agent);
  return agent;
}

/**
 * The agent's prompt as token ids. A vision-language policy (`encodeChat`, sessions that accept images)
 * renders it with the messages' images expanded into their tokens; a text-only policy renders the text,
 * and refuses a sample whose messages carry images.
 */
function renderPrompt(ctx: EngineContext, spec: AgentSpec): EncodedChat {
  const messages = withToolDescription(spec.messages, [...spec.tools.values()], ctx.input.toolFormat);
  const shown = messages.reduce((n, m) => n + (m.images?.length ?? 0), 0);
  const { policy } = ctx.input;
  if (policy.encodeChat && ctx.session.acceptsImages) return policy.encodeChat(messages, { addGenerationPrompt: true });
  if (shown > 0) {
    const why = ctx.session.acceptsImages ? 'its sessions take images but it cannot render a prompt with them (no encodeChat)' : 'the policy reads text only';
    throw new TirlError(
      `rollout: sample "${spec.sample.id}" shows ${shown} image(s) in its messages, but ${why}. Train a vision-language model (an Idefics3 / SmolVLM folder) or remove "images" from the sample's messages`,
      'invalid-data',
    );
  }
  const text = ctx.tokenizer.renderChat(messages, { addGenerationPrompt: true });
  return { ids: ctx.tokenizer.encode(text, { addSpecialTokens: false }), text, images: [] };
}

/** The tools of a role: the router's list (or `names`) picked from the pool, plus the router's agent tools. */
export function toolsForRole(ctx: EngineContext, role: string, names: readonly string[] | undefined): Map<string, Tool> {
  const extra = ctx.input.router?.agentTools(role) ?? [];
  const pool = new Map([...ctx.toolPool, ...extra.map((t) => [t.name, t] as const)]);
  const spec = ctx.input.router?.roles().find((r) => r.name === role);
  const allowed = names ?? spec?.tools;
  if (!allowed) return pool;
  const picked = new Map<string, Tool>();
  for (const name of allowed) {
    const tool = pool.get(name);
    if (!tool) throw new TirlError(`rollout: role "${role}" names tool "${name}", which is not provided. Known: ${[...pool.keys()].join(', ') || 'none'}`, 'invalid-data');
    picked.set(name, tool);
  }
  for (const t of extra) picked.set(t.name, t);
  return picked;
}

/** Adds the tool descriptions to the system message (or a new one) when there are tools. */
export function withToolDescription(
  messages: readonly ChatMessage[],
  tools: readonly Tool[],
  format: RolloutInput['toolFormat'],
): ChatMessage[] {
  const out = messages.map((m) => ({ ...m }));
  if (tools.length === 0) return out;
  const description = format.describeTools(tools);
  if (out[0]?.role === 'system') out[0].content = `${out[0].content}\n\n${description}`;
  else out.unshift({ role: 'system', content: description });
  return out;
}
