import { definePlugin, Tokens, type Tool, type ToolRegistry } from '@tirl/core';
import { z } from 'zod';
import { userQuery } from '../text/query';
import { createJudgeChat, judgeSourceShape, type JudgeChat } from './judge-chat';
import { judgeRoots, responseOf } from './score-roots';

/** Themis' message when a tool call fails (generate_themis.py). */
export const TOOL_FAILURE = 'An error occurred during the tool invoke, so no result was returned.';

export const DEFAULT_THEMIS_PROMPT = [
  'You judge answers. You may call tools before judging. To call one write',
  'Thought: ...\\nAction: <tool name>\\nAction Input: <JSON arguments>',
  'and stop; the result comes back as "Observation: ...". When you are done write',
  'Work: <your rationale>\\nScore: <a number from 0 to 1>',
  'Tools:',
  '{tools}',
  '### USER:',
  'Question: {question}',
  'Answer: {answer}',
  '### ASSISTANT:',
].join('\n');

/** The last `Action:` / `Action Input:` pair of a reply (arguments as JSON when they parse, else text). */
export function parseAction(reply: string): { name: string; args: unknown } | undefined {
  const m = [...reply.matchAll(/Action:\s*([^\n]+)\nAction Input:\s*([\s\S]*?)(?=\n(?:Observation|Thought|Action|Work|Score):|$)/g)].at(-1);
  if (!m) return undefined;
  const raw = m[2].trim();
  let args: unknown = raw;
  try {
    args = JSON.parse(raw);
  } catch {
    /* a plain string argument */
  }
  return { name: m[1].trim(), args };
}

/** The number after the last `Score:`; undefined when there is none. */
export function parseScore(reply: string): number | undefined {
  const m = [...reply.matchAll(/Score:\s*(-?\d+(?:\.\d+)?)/g)].at(-1);
  return m ? Number(m[1]) : undefined;
}

/** A string argument binds to the tool's single required (or only) parameter. */
function bindArgs(tool: Tool, args: unknown): unknown {
  if (typeof args !== 'string') return args;
  const props = Object.keys((tool.parameters.properties as Record<string, unknown>) ?? {});
  const required = Array.isArray(tool.parameters.required) ? (tool.parameters.required as string[]) : [];
  const key = required.length === 1 ? required[0] : props.length === 1 ? props[0] : undefined;
  return key === undefined ? args : { [key]: args };
}

/**
 * Themis, the tool-augmented reward model: before scoring, the judge runs a ReAct loop over the run's tools
 * (Thought / Action / Action Input → Observation, at most `maxInteractions` calls), then writes its
 * rationale and a score. The judge is an LLM behind an endpoint or a tirl policy; the score is read from its
 * text (the paper reads a value head).
 */
export const toolAugmentedRm = definePlugin({
  kind: 'reward',
  name: 'tool-augmented-rm',
  summary: 'Themis tool-augmented reward model: the judge calls the run\'s tools (ReAct, ≤ 3 calls) before it writes a rationale and a score',
  paper: {
    title: 'Tool-Augmented Reward Modeling',
    arxiv: '2310.01045',
    section: '3 (tool invocation, rationale, reward); max_iteractions 3 and the tool-failure message from generate_themis.py',
  },
  inject: { tools: Tokens.tools },
  options: z
    .object({
      judge: judgeSourceShape,
      /** Tools the judge may call, by name, from the run's tools (empty: all of them). */
      tools: z.array(z.string().min(1)).default([]),
      /** Tool calls per judgement (generate_themis.py `max_iteractions`). */
      maxInteractions: z.number().int().min(0).max(16).default(3),
      promptTemplate: z
        .string()
        .refine((s) => s.includes('{answer}'), { message: 'must contain "{answer}"' })
        .default(DEFAULT_THEMIS_PROMPT),
      toolTimeoutMs: z.number().int().positive().default(30_000),
      concurrency: z.number().int().min(1).max(64).default(4),
    })
    .strict(),
  create(o, ctx) {
    const chat: JudgeChat = createJudgeChat(o.judge, ctx, 'reward/tool-augmented-rm');
    const registry = (ctx.services.tools as ToolRegistry | undefined) ?? new Map<string, Tool>();
    const tools = () => [...registry.values()].filter((t) => !o.tools.length || o.tools.includes(t.name));
    let judgements = 0;
    return {
      score: (input) =>
        judgeRoots(input, o.concurrency, async (root, sample) => {
          const allowed = new Map(tools().map((t) => [t.name, t]));
          const prompt = o.promptTemplate
            .replace('{tools}', [...allowed.values()].map((t) => `- ${t.name}: ${t.description} Arguments: ${JSON.stringify(t.parameters)}`).join('\n') || '(none)')
            .replace('{question}', userQuery(sample))
            .replace('{answer}', responseOf(root));
          const id = `rm-${judgements++}`;
          let transcript = '';
          let calls = 0;
          try {
            for (;;) {
              const reply = await chat(prompt + transcript, { stop: ['\nObservation:'] });
              transcript += reply;
              const score = parseScore(reply);
              if (score !== undefined) return { score, components: { tool_calls: calls } };
              const action = parseAction(reply);
              if (!action || calls >= o.maxInteractions) break;
              calls++;
              const tool = allowed.get(action.name);
              const result = tool
                ? await tool.call(bindArgs(tool, action.args), { trajectoryId: id, rootId: id, turn: calls, timeoutMs: o.toolTimeoutMs }).catch(() => ({ ok: false, observation: TOOL_FAILURE }))
                : { ok: false, observation: TOOL_FAILURE };
              transcript += `\nObservation: ${result.ok ? result.observation : TOOL_FAILURE}\n`;
            }
            const final = await chat(`${prompt}${transcript}\nWork:`);
            const score = parseScore(final);
            if (score === undefined) throw new Error(`reward/tool-augmented-rm: no "Score: <number>" in the judge's reply "${final.slice(0, 80)}"`);
            return { score, components: { tool_calls: calls } };
          } finally {
            for (const t of allowed.values()) await t.release?.(id);
          }
        }),
    };
  },
});
