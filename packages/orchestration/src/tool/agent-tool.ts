import type { Tool, ToolContext, ToolResult } from '@tirl/core';
import { handBack, type HandBackOptions } from '../text/hand-back';
import { userQuery } from '../text/query';

/** Everything an agent-as-tool needs to spawn one worker rollout. */
export interface AgentToolSpec {
  /** Tool name the model calls (e.g. `delegate`). */
  name: string;
  description: string;
  /** Role of the spawned rollout. */
  role: string;
  systemPrompt: string;
  /** Names of the tools the worker may call. */
  tools: string[];
  /** Put the original user query in the worker's prompt (MATPO §5 ablation: a substantial gain). */
  recapQuery: boolean;
  /** Worker user message; `{query}` and `{subtask}` are filled in. */
  template: string;
  /** Forced final turn asking the worker for a summary. */
  finalPrompt: string;
  /** Run the `finalPrompt` turn after every finish of the worker, not only on running out of turns. */
  forceSummary: boolean;
  /** Final prompt after a cut (turns, tokens, context). */
  failedPrompt: string;
  /** Tokens held back for the summary turn. */
  summaryReserve: number;
  /** Worker turn limit; null = the rollout's own `maxTurns`. */
  maxTurns: number | null;
  handBack: HandBackOptions;
}

const SUBTASK_ONLY = '{subtask}';

/** The worker's chat messages: an isolated context (no planner history), with the user query recapped. */
export function workerMessages(spec: AgentToolSpec, subtask: string, query: string): { role: string; content: string }[] {
  const template = spec.recapQuery ? spec.template : SUBTASK_ONLY;
  const user = template.replaceAll('{query}', query).replaceAll('{subtask}', subtask);
  return [
    ...(spec.systemPrompt ? [{ role: 'system', content: spec.systemPrompt }] : []),
    { role: 'user', content: user },
  ];
}

/** A tool whose call runs a worker sub-rollout through `ctx.spawn` and returns its cleaned final message. */
export function createAgentTool(spec: AgentToolSpec): Tool {
  return {
    name: spec.name,
    description: spec.description,
    parameters: {
      type: 'object',
      properties: { subtask: { type: 'string', description: 'A self-contained subtask for the worker.' } },
      required: ['subtask'],
      additionalProperties: false,
    },
    async call(args: unknown, ctx: ToolContext): Promise<ToolResult> {
      const subtask = String((args as { subtask?: unknown })?.subtask ?? '').trim();
      if (!subtask) return { ok: false, error: 'schema', observation: `Error (schema): ${spec.name} needs a non-empty "subtask".` };
      if (!ctx.spawn) {
        return { ok: false, error: 'refused', observation: `Error (refused): ${spec.name} needs a rollout engine that can spawn sub-rollouts.` };
      }
      const res = await ctx.spawn({
        role: spec.role,
        messages: workerMessages(spec, subtask, userQuery(ctx.sample)),
        tools: spec.tools,
        ...(spec.maxTurns !== null ? { maxTurns: spec.maxTurns } : {}),
        finalPrompt: spec.finalPrompt,
        alwaysFinal: spec.forceSummary,
        failedPrompt: spec.failedPrompt,
        ...(spec.summaryReserve > 0 ? { summaryReserve: spec.summaryReserve } : {}),
      });
      const text = handBack(res.text, spec.handBack);
      const result: ToolResult = {
        ok: res.ok,
        observation: text || (res.ok ? '(the worker returned no text)' : `Error (worker): the ${spec.role} did not finish.`),
      };
      if (!res.ok) result.error = 'worker';
      if (res.childId) result.childId = res.childId;
      return result;
    },
  };
}
