import { definePlugin, type AgentRouter, type Tool, type ToolResult } from '@tirl/core';
import { z } from 'zod';
import { withSystem } from '../text/query';
import { createChatModelTool } from '../tool/chat-client';
import { chatModelShape } from '../tool/chat-model';

export const DEFAULT_ORCHESTRATOR_PROMPT =
  'You are an orchestrator. For each step choose the cheapest choice that will do: call a tool, ask one of the ' +
  'models, or pick an answer mode. Every choice has a cost.';

const modeShape = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /** What the policy is told to do once it picked the mode. */
    instruction: z.string().min(1),
    cost: z.number().min(0).default(0),
  })
  .strict();

/** A tool `{ mode }` whose call records the mode's cost and returns its instruction (A²FM answer modes). */
function createModeTool(name: string, modes: readonly z.output<typeof modeShape>[]): Tool {
  const byName = new Map(modes.map((m) => [m.name, m]));
  return {
    name,
    description: `Choose how to answer: ${modes.map((m) => `"${m.name}"`).join(', ')}.`,
    parameters: {
      type: 'object',
      properties: { mode: { type: 'string', enum: modes.map((m) => m.name) } },
      required: ['mode'],
      additionalProperties: false,
    },
    async call(args: unknown): Promise<ToolResult> {
      const mode = byName.get(String((args as { mode?: unknown })?.mode));
      if (!mode) return { ok: false, error: 'schema', observation: `Error (schema): mode must be one of ${[...byName.keys()].join(', ')}.` };
      return { ok: true, observation: mode.instruction, cost: mode.cost, data: { mode: mode.name } };
    },
  };
}

/**
 * ToolOrchestra / A²FM-style routing: one orchestrator role whose choices are ordinary tools (by name),
 * other models behind OpenAI-compatible endpoints, and answer modes. Model and mode calls put their cost
 * on the tool-call record (`cost`), where cost-aware rewards read it.
 */
export const orchestratorRouter = definePlugin({
  kind: 'router',
  name: 'orchestrator',
  summary: 'Orchestrator routing: the policy picks tools, other models (OpenAI-compatible endpoints) or answer modes, each with a recorded cost',
  paper: { title: 'ToolOrchestra: Elevating Intelligence via Efficient Model and Tool Orchestration', arxiv: '2511.21689', section: '3 (orchestrator); A²FM 2510.12838 (modes)' },
  options: z
    .object({
      role: z.string().min(1).default('orchestrator'),
      prompt: z.string().default(DEFAULT_ORCHESTRATOR_PROMPT),
      /** Ordinary tools of the recipe the orchestrator may call. */
      tools: z.array(z.string().min(1)).default([]),
      models: z.array(z.object(chatModelShape).strict()).default([]),
      modes: z.array(modeShape).default([]),
      /** Name of the mode-choice tool. */
      modeToolName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/).default('answer_mode'),
    })
    .strict()
    .superRefine((o, ctx) => {
      const names = [...o.tools, ...o.models.map((m) => m.name), ...(o.modes.length ? [o.modeToolName] : [])];
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup) ctx.addIssue({ code: 'custom', path: ['models'], message: `choice name "${dup}" is used twice; names must be unique` });
      if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['models'], message: 'give at least one tool, model or mode to choose from' });
    }),
  create: (o): AgentRouter => {
    const extra: Tool[] = [...o.models.map((m) => createChatModelTool(m)), ...(o.modes.length ? [createModeTool(o.modeToolName, o.modes)] : [])];
    return {
      rootRole: o.role,
      roles: () => [{ name: o.role, systemPrompt: o.prompt, tools: o.tools }],
      rootMessages: (sample) => withSystem(o.prompt, sample.messages),
      agentTools: (role) => (role === o.role ? extra : []),
    };
  },
});
