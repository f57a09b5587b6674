import type { PluginEntry, Sample } from '@tirl/core';

/** A generated task: training and held-out questions, plus what the recipe needs to solve it. */
export interface DemoTask {
  name: string;
  train: Sample[];
  heldOut: Sample[];
  /** Plugin entries for the tool(s), the tool format and, for multi-agent tasks, the router, added to every recipe. */
  toolPlugins: PluginEntry[];
  /** Generated tokens per policy turn (default 32). */
  maxNewTokens?: number;
  /** Rollout limits the task needs (turns, tokens, tool calls). */
  limits?: { maxTurns: number; maxTotalTokens: number; maxToolCalls: number; toolTimeoutMs?: number };
  /**
   * The expert's next reply given everything the row holds so far (prompt, earlier turns, rendered
   * observations): the SFT warm start records these replies through the real rollout engine.
   */
  teacher(context: string): string;
  /** The questions the teacher knowingly gets wrong (it guesses instead of using the tool); none when absent. */
  teacherGuesses?(sample: Sample): boolean;
  /** Whether a tool call's argument names what the sample needs looked up or computed. */
  isFaithfulCall(sample: Sample, args: unknown): boolean;
}

/** The text of the last `<result>…</result>` observation in a context, or undefined before any. */
export function lastObservation(context: string): string | undefined {
  const at = context.lastIndexOf('<result>');
  if (at < 0) return undefined;
  const end = context.indexOf('</result>', at);
  return context.slice(at + '<result>'.length, end < 0 ? undefined : end).trim();
}

/** The string argument of a tool call (single-argument tools get `{ query }`, `{ code }`, ...). */
export function callArgument(args: unknown): string {
  if (typeof args === 'string') return args;
  if (args && typeof args === 'object') {
    const first = Object.values(args as Record<string, unknown>)[0];
    if (typeof first === 'string') return first;
  }
  return '';
}
