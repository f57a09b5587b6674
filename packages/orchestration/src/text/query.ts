import type { Sample } from '@tirl/core';

/** The original user query of a sample: its last user message (or its last message). */
export function userQuery(sample: Sample | undefined): string {
  if (!sample) return '';
  const users = sample.messages.filter((m) => m.role === 'user');
  return (users.at(-1) ?? sample.messages.at(-1))?.content ?? '';
}

/** Prepends a system prompt to chat messages, merging it with an existing system message. */
export function withSystem(system: string, messages: readonly { role: string; content: string }[]): { role: string; content: string }[] {
  const out = messages.map((m) => ({ ...m }));
  if (!system) return out;
  if (out[0]?.role === 'system') out[0].content = `${system}\n\n${out[0].content}`;
  else out.unshift({ role: 'system', content: system });
  return out;
}
