import type { ParseResult, ToolFormat } from '../../kinds/rollout';
import type { Tool, ToolResult } from '../../kinds/tool';

/**
 * A minimal tool format for kits of other kinds: `<call>{"name": ..., "arguments": {...}}</call>` ends a
 * turn; text without a call is the answer. Observations are `<result>...</result>`.
 */
export const kitToolFormat: ToolFormat = {
  stopStrings: ['</call>'],
  parse(text: string): ParseResult {
    const out: ParseResult = { calls: [], errors: [] };
    for (const m of text.matchAll(/<call>([\s\S]*?)<\/call>/g)) {
      try {
        const body = JSON.parse(m[1]) as { name?: unknown; arguments?: unknown };
        if (typeof body.name !== 'string') out.errors.push({ raw: m[0], message: 'a call needs a "name"' });
        else out.calls.push({ name: body.name, args: body.arguments ?? {}, raw: m[0] });
      } catch {
        out.errors.push({ raw: m[0], message: 'a call must be JSON' });
      }
    }
    if (out.calls.length === 0 && out.errors.length === 0) out.answer = text.trim();
    return out;
  },
  renderObservations: (results) => results.map((r) => `<result>${r.result.observation}</result>`).join(''),
  describeTools: (tools) => tools.map((t) => `${t.name}: ${t.description}`).join('\n'),
};

/** The text of one call in {@link kitToolFormat}. */
export function kitCall(name: string, args: Record<string, unknown>): string {
  return `<call>${JSON.stringify({ name, arguments: args })}</call>`;
}

/** A tool `echo` with one string argument `text`; a bad call is an error observation, never a throw. */
export function echoTool(name = 'echo'): Tool {
  return {
    name,
    description: 'Repeats its text argument',
    parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
    async call(args): Promise<ToolResult> {
      const text = (args as { text?: unknown } | null)?.text;
      if (typeof text !== 'string') return { ok: false, observation: 'echo needs {"text": string}', error: 'schema' };
      return { ok: true, observation: `echo: ${text}` };
    },
  };
}
