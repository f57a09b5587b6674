import type { Trajectory } from '@tirl/core';

/** A tool as declared to the model: its name and the JSON schema of its arguments. */
export interface DeclaredTool {
  name: string;
  parameters: Record<string, unknown>;
}

/**
 * The tools declared in a rollout's own prompt: `trajectory.meta.tools` when the engine recorded them,
 * else the JSON objects inside the prompt's `<tools>...</tools>` block (one per line or a JSON array,
 * `{name, parameters}` or `{type: "function", function: {...}}`). Undefined when the prompt declares none.
 */
export function declaredTools(t: Trajectory): DeclaredTool[] | undefined {
  const fromMeta = t.meta?.tools;
  if (Array.isArray(fromMeta)) return fromMeta.map(asTool).filter((x): x is DeclaredTool => x !== undefined);
  const prompt = t.segments
    .filter((s) => s.source === 'prompt')
    .map((s) => s.text ?? '')
    .join('');
  // The first non-empty block: Hermes' preamble names the tags in prose ("within <tools></tools> XML tags") before the real block.
  const blocks = [...prompt.matchAll(/<tools>([\s\S]*?)<\/tools>/g)].map((m) => m[1]);
  const block = blocks.find((b) => b.trim() !== '') ?? blocks[0];
  if (block === undefined) return undefined;
  return parseToolList(block);
}

function parseToolList(block: string): DeclaredTool[] {
  const trimmed = block.trim();
  const items: unknown[] = [];
  try {
    const whole = JSON.parse(trimmed);
    items.push(...(Array.isArray(whole) ? whole : [whole]));
  } catch {
    for (const line of trimmed.split('\n')) {
      try {
        if (line.trim()) items.push(JSON.parse(line));
      } catch {
        // a line that is not JSON declares no tool
      }
    }
  }
  return items.map(asTool).filter((x): x is DeclaredTool => x !== undefined);
}

function asTool(x: unknown): DeclaredTool | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const o = x as Record<string, unknown>;
  const f = (o.type === 'function' && o.function && typeof o.function === 'object' ? o.function : o) as Record<string, unknown>;
  if (typeof f.name !== 'string') return undefined;
  const parameters = f.parameters && typeof f.parameters === 'object' ? (f.parameters as Record<string, unknown>) : {};
  return { name: f.name, parameters };
}
