import type { ToolContext } from '@tirl/core';

export function toolContext(overrides: Partial<ToolContext> = {}): ToolContext {
  return { trajectoryId: 't1', rootId: 't1', turn: 0, timeoutMs: 5000, ...overrides };
}
