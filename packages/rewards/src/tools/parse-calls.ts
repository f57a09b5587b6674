/** A tool call as written in text: `{"name": ..., "arguments" | "parameters": {...}}`. */
export interface TextToolCall {
  name: string;
  params: Record<string, unknown>;
}

/**
 * The calls in the first `<tool_call>...</tool_call>` block, one JSON object per line (ToolRL's
 * format). Undefined when the block is missing or a line does not parse.
 */
export function parseFirstToolCallBlock(text: string): TextToolCall[] | undefined {
  const block = /<tool_call>([\s\S]*?)<\/tool_call>/.exec(text)?.[1];
  if (block === undefined) return undefined;
  const calls: TextToolCall[] = [];
  for (const line of block.split('\n')) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return undefined;
    }
    const call = asCall(parsed);
    if (!call) return undefined;
    calls.push(call);
  }
  return calls;
}

export function asCall(x: unknown): TextToolCall | undefined {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return undefined;
  const o = x as Record<string, unknown>;
  if (typeof o.name !== 'string') return undefined;
  const p = o.arguments ?? o.parameters ?? {};
  if (!p || typeof p !== 'object' || Array.isArray(p)) return undefined;
  return { name: o.name, params: p as Record<string, unknown> };
}
