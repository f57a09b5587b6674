/** How a worker's final message is cleaned before the planner sees it (MATPO §3, released-code defaults). */
export interface HandBackOptions {
  /** Drop everything up to and including the last `</think>` (and any unclosed `<think>` tail). */
  stripThink: boolean;
  /** Remove tool-call blocks (`<tool_call>…</tool_call>`, `<use_mcp_tool>…</use_mcp_tool>`). */
  stripToolBlocks: boolean;
  /** Cut to at most this many characters (MATPO: 20,000). */
  maxChars: number;
}

const TOOL_BLOCKS = [/<tool_call>[\s\S]*?(<\/tool_call>|$)/g, /<use_mcp_tool>[\s\S]*?(<\/use_mcp_tool>|$)/g];

/** Removes reasoning: text up to the last `</think>`, then complete `<think>…</think>` blocks and an unclosed `<think>` tail. */
export function stripThink(text: string): string {
  const close = text.lastIndexOf('</think>');
  let out = close === -1 ? text : text.slice(close + '</think>'.length);
  out = out.replace(/<think>[\s\S]*?<\/think>/g, '');
  const open = out.indexOf('<think>');
  return open === -1 ? out : out.slice(0, open);
}

export function stripToolBlocks(text: string): string {
  return TOOL_BLOCKS.reduce((s, re) => s.replace(re, ''), text);
}

/** The text a planner receives from a worker, as its tool observation. */
export function handBack(text: string, o: HandBackOptions): string {
  let out = text;
  if (o.stripThink) out = stripThink(out);
  if (o.stripToolBlocks) out = stripToolBlocks(out);
  out = out.trim();
  return out.length > o.maxChars ? out.slice(0, o.maxChars) : out;
}
