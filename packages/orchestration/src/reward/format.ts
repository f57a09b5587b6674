import type { ToolCallRecord } from '@tirl/core';

/** Call errors that mean the model wrote a bad call (the others are execution failures of a well-formed call). */
export const FORMAT_ERRORS: readonly string[] = ['parse', 'unknown-tool', 'schema'];

/**
 * MATPO fmt(x): the share of well-formed tool calls (parsable, a tool of this rollout, valid arguments);
 * 1 when the rollout made no call.
 */
export function formatScore(calls: readonly ToolCallRecord[]): number {
  if (calls.length === 0) return 1;
  const valid = calls.filter((c) => c.ok || !FORMAT_ERRORS.includes(c.error ?? '')).length;
  return valid / calls.length;
}
