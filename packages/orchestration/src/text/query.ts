import type { Sample } from '@tirl/core';

/**
 * The original user query of a sample: its FIRST user message (MATPO's released code recaps the first user
 * message of the planner's context), or its last message when no message has the user role.
 */
export function userQuery(sample: Sample | undefined): string {
  if (!sample) return '';
  return (sample.messages.find((m) => m.role === 'user') ?? sample.messages.at(-1))?.content ?? '';
}

/** Prepends a system prompt to chat messages, merging it with an existing system message. */
export function withSystem(system: string, messages: readonly { role: string; content: string }[]): { role: string; content: string }[] {
  const out = messages.map((m) => ({ ...m }));
  if (!system) return out;
  if (out[0]?.role === 'system') out[0].content = `${system}\n\n${out[0].content}`;
  else out.unshift({ role: 'system', content: system });
  return out;
}
