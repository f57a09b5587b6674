import { z } from 'zod';
import type { AgentToolSpec } from './agent-tool';

export const DEFAULT_WORKER_PROMPT =
  'You are a worker agent. Solve the subtask you are given with your tools, then report what you found.';
export const DEFAULT_TEMPLATE = 'The user\'s original question, for context:\n{query}\n\nYour subtask:\n{subtask}';
export const DEFAULT_FINAL_PROMPT =
  'Stop calling tools. Write your final report on the subtask with these parts: Conclusion, Supporting Information, ' +
  'Observations, Contribution to Main Task. If you could not finish, say so and report what you have.';

export const DEFAULT_FAILED_PROMPT =
  'You ran out of turns or tokens before finishing the subtask. Stop calling tools. Write your final report on ' +
  'the subtask with these parts: Conclusion (start with "Task failed:" and say what is missing), Supporting ' +
  'Information, Observations, Contribution to Main Task.';

/** Options of the hand-back (MATPO released code: strip think, strip tool blocks, cut at 20,000 chars). */
export const handBackShape = z
  .object({
    stripThink: z.boolean().default(true),
    stripToolBlocks: z.boolean().default(true),
    maxChars: z.number().int().positive().default(20000),
  })
  .strict()
  .default({ stripThink: true, stripToolBlocks: true, maxChars: 20000 });

/** Options shared by the agent tool and the MATPO router's worker side. */
export const workerShape = {
  workerPrompt: z.string().default(DEFAULT_WORKER_PROMPT),
  /** Tools the worker may call (by name; they must be in the recipe). */
  workerTools: z.array(z.string().min(1)).default([]),
  /** Include the original user query in the worker prompt (paper tip: keep it on). */
  recapQuery: z.boolean().default(true),
  /** Worker user message with `{query}` and `{subtask}` placeholders; must contain `{subtask}`. */
  workerTemplate: z
    .string()
    .refine((s) => s.includes('{subtask}'), { message: 'must contain "{subtask}"' })
    .default(DEFAULT_TEMPLATE),
  /** Forced final-summary instruction given to a worker that runs out of turns (and on every finish with `forceSummary`). */
  finalPrompt: z.string().min(1).default(DEFAULT_FINAL_PROMPT),
  /** End every worker with the `finalPrompt` summary turn, not only on running out of turns (MATPO released code: always). */
  forceSummary: z.boolean().default(true),
  /** Summary instruction for a worker cut by its turn, token or context limit (MATPO released code: a "task failed" variant). */
  failedPrompt: z.string().min(1).default(DEFAULT_FAILED_PROMPT),
  /**
   * Tokens kept free for the summary turn: the worker's turns and observations stop this short of the token
   * and context limits, so a worker cut by a limit is still summarised (released code: max_summary_length 4096).
   */
  summaryReserve: z.number().int().nonnegative().default(0),
  /** Worker turn limit; null = the same `maxTurns` as the planner. */
  workerMaxTurns: z.number().int().positive().nullable().default(null),
  handBack: handBackShape,
};

/** The worker part of an agent tool's spec, from the `workerShape` options. */
export function workerSpec(o: z.output<z.ZodObject<typeof workerShape>>): Omit<AgentToolSpec, 'name' | 'description' | 'role'> {
  return {
    systemPrompt: o.workerPrompt,
    tools: o.workerTools,
    recapQuery: o.recapQuery,
    template: o.workerTemplate,
    finalPrompt: o.finalPrompt,
    forceSummary: o.forceSummary,
    failedPrompt: o.failedPrompt,
    summaryReserve: o.summaryReserve,
    maxTurns: o.workerMaxTurns,
    handBack: o.handBack,
  };
}
