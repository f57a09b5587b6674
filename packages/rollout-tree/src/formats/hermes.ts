import { definePlugin, type ChatMessage, type ParseResult, type Tool, type ToolFormat, type ToolResult } from '@tirl/core';
import { z } from 'zod';
import { isJsonObject as isPlainObject } from '@tirl/core';
import { findStrayTags } from './stray-tags';

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';

const options = z
  .object({
    /** End a turn right after `</tool_call>` (one call per turn); false lets the model write several calls before EOS. */
    stopAfterCall: z.boolean().default(true),
    /** Text before the observations (e.g. `<|im_end|>\n<|im_start|>user\n` for Qwen's chat template). */
    observationPrefix: z.string().default('\n'),
    /** Text after the observations (e.g. `<|im_end|>\n<|im_start|>assistant\n`). */
    observationSuffix: z.string().default('\n'),
    /**
     * `inline`: prefix + `<tool_response>` blocks + suffix, in the assistant's text. `messages`: each result is a
     * message of the chat template with role `observationRole` (the template wraps it; Qwen's wraps tool
     * messages in `<tool_response>`), as verl/sglang multi-turn rollouts build the context.
     */
    observations: z.enum(['inline', 'messages']).default('inline'),
    observationRole: z.string().min(1).default('tool'),
  })
  .strict();

type HermesOptionsOut = z.output<typeof options>;
/** Direct construction may leave out the observation-message options (inline observations). */
type HermesOptions = Omit<HermesOptionsOut, 'observations' | 'observationRole'> & Partial<Pick<HermesOptionsOut, 'observations' | 'observationRole'>>;

/** Hermes / Qwen tool calls: `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`. */
export class HermesFormat implements ToolFormat {
  readonly stopStrings: readonly string[];

  constructor(private readonly opts: HermesOptions) {
    this.stopStrings = opts.stopAfterCall ? [CLOSE] : [];
  }

  parse(text: string): ParseResult {
    const result: ParseResult = { calls: [], errors: [] };
    let at = text.indexOf(OPEN);
    while (at !== -1) {
      const end = text.indexOf(CLOSE, at + OPEN.length);
      if (end === -1) {
        result.errors.push({ raw: text.slice(at), message: `unclosed ${OPEN}: end each call with ${CLOSE}` });
        break;
      }
      const raw = text.slice(at, end + CLOSE.length);
      const body = text.slice(at + OPEN.length, end);
      const parsed = parseBody(body);
      if ('message' in parsed) result.errors.push({ raw, message: parsed.message });
      else result.calls.push({ name: parsed.name, args: parsed.args, raw });
      at = text.indexOf(OPEN, end + CLOSE.length);
    }
    // A near-miss of the call tag (`<TOOL_CALL>`, `<tool_call >`, `<tool-call>`) is feedback, not an answer.
    if (result.calls.length === 0 && result.errors.length === 0) result.errors.push(...findStrayTags(text, ['tool_call'], [], false));
    if (result.calls.length === 0 && result.errors.length === 0) result.answer = stripThink(text);
    return result;
  }

  renderObservations(results: readonly { name: string; result: ToolResult }[]): string {
    const blocks = results.map((r) => `<tool_response>\n${r.result.observation}\n</tool_response>`);
    return `${this.opts.observationPrefix}${blocks.join('\n')}${this.opts.observationSuffix}`;
  }

  observationMessages(results: readonly { name: string; result: ToolResult }[]): ChatMessage[] | undefined {
    if (this.opts.observations !== 'messages') return undefined;
    return results.map((r) => ({ role: this.opts.observationRole ?? 'tool', content: r.result.observation }));
  }

  describeTools(tools: readonly Tool[]): string {
    const sigs = tools.map((t) =>
      JSON.stringify({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }),
    );
    return [
      '# Tools',
      '',
      'You may call one or more functions to assist with the user query.',
      '',
      'You are provided with function signatures within <tools></tools> XML tags:',
      '<tools>',
      ...sigs,
      '</tools>',
      '',
      'For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:',
      '<tool_call>',
      '{"name": <function-name>, "arguments": <args-json-object>}',
      '</tool_call>',
    ].join('\n');
  }
}

function parseBody(body: string): { name: string; args: unknown } | { message: string } {
  if (body.includes(OPEN)) return { message: `nested ${OPEN} inside ${OPEN}: write one call per block` };
  let json: unknown;
  try {
    json = JSON.parse(body.trim());
  } catch (e) {
    return { message: `invalid JSON in ${OPEN} (${(e as Error).message}); write {"name": "<tool>", "arguments": {...}}` };
  }
  if (!isPlainObject(json) || typeof json.name !== 'string' || json.name === '') {
    return { message: `a tool call needs a string "name" and an object "arguments"` };
  }
  let args = json.arguments ?? {};
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args);
    } catch {
      return { message: `"arguments" of ${json.name} is a string that is not JSON; pass an object` };
    }
  }
  if (!isPlainObject(args)) return { message: `"arguments" of ${json.name} must be an object` };
  return { name: json.name, args };
}

function stripThink(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/g, '').trim();
}

export const hermesFormat = definePlugin({
  kind: 'toolFormat',
  name: 'hermes',
  summary: 'Hermes/Qwen tool calls: <tool_call>{"name", "arguments"}</tool_call>, results in <tool_response> blocks.',
  paper: { title: 'Qwen2.5 Technical Report (function calling in the Hermes format)', arxiv: '2412.15115' },
  options,
  create: (opts) => new HermesFormat(opts),
});
