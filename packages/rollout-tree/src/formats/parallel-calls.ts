import { definePlugin, type ParseResult, type ParsedToolCall, type Tool, type ToolFormat, type ToolResult } from '@tirl/core';
import { z } from 'zod';

/** ToolLLM's return type of a `Finish` call that gives up; the parsed answer of such a turn. */
export const GIVE_UP = 'give_up_and_restart';

const options = z
  .object({
    /** The line that introduces a turn's list of calls. */
    callPrefix: z.string().min(1).default('Function Call:'),
    /** Name of the call that ends the rollout (any name containing it is normalised to it). */
    finishName: z.string().min(1).default('Finish'),
    /** What the model would write next if it hallucinated a result: ends the turn. */
    stopString: z.string().min(1).default('\nObservation:'),
  })
  .strict();

type ParallelOptions = z.output<typeof options>;

/** The JSON array that follows `prefix` (bracket-matched, strings respected); undefined when it never closes. */
function jsonArrayAfter(text: string, at: number): { json: string; end: number } | undefined {
  const start = text.indexOf('[', at);
  if (start === -1) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return { json: text.slice(start, i + 1), end: i + 1 };
    }
  }
  return undefined;
}

/**
 * Divide-Then-Aggregate's parallel calls: a turn is `Thought: …\nFunction Call: [{"name": …, "arguments":
 * …}, …]`; all calls of one turn are independent and the engine runs them concurrently, returning results in
 * call order. `Finish` (any name containing it) with `return_type: give_answer` gives `final_answer` as the
 * answer; `give_up_and_restart` gives the answer {@link GIVE_UP} (ToolLLM's give-up, which `rollout/dfsdt`
 * backs off on).
 */
export class ParallelCallsFormat implements ToolFormat {
  readonly stopStrings: readonly string[];

  constructor(private readonly opts: ParallelOptions) {
    this.stopStrings = [opts.stopString];
  }

  parse(text: string): ParseResult {
    const result: ParseResult = { calls: [], errors: [] };
    const at = text.lastIndexOf(this.opts.callPrefix);
    if (at === -1) return result;
    const found = jsonArrayAfter(text, at + this.opts.callPrefix.length);
    const raw = found ? text.slice(at, found.end) : text.slice(at);
    if (!found) return { ...result, errors: [{ raw, message: `${this.opts.callPrefix} must be followed by a JSON list [{"name": ..., "arguments": {...}}]` }] };
    let list: unknown;
    try {
      list = JSON.parse(found.json);
    } catch (e) {
      return { ...result, errors: [{ raw, message: `the call list is not valid JSON (${(e as Error).message})` }] };
    }
    if (!Array.isArray(list)) return { ...result, errors: [{ raw, message: 'the call list must be a JSON array' }] };
    const calls: ParsedToolCall[] = [];
    for (const item of list) {
      const name = (item as { name?: unknown })?.name;
      if (typeof name !== 'string' || !name) {
        result.errors.push({ raw, message: 'every call needs a "name" string' });
        continue;
      }
      let args = (item as { arguments?: unknown }).arguments ?? {};
      if (typeof args === 'string') {
        try {
          args = JSON.parse(args);
        } catch {
          /* a plain string argument binds to the tool's single parameter */
        }
      }
      if (name.includes(this.opts.finishName)) {
        const a = args as { return_type?: unknown; final_answer?: unknown };
        result.answer = a?.return_type === GIVE_UP ? GIVE_UP : String(a?.final_answer ?? '');
        result.calls = [];
        return result;
      }
      calls.push({ name, args, raw });
    }
    result.calls = calls;
    return result;
  }

  renderObservations(results: readonly { name: string; result: ToolResult }[]): string {
    return results.map((r) => `\nFunction: ${JSON.stringify({ name: r.name, result: r.result.observation })}`).join('') + '\n';
  }

  describeTools(tools: readonly Tool[]): string {
    const specs = tools.map((t) => JSON.stringify({ name: t.name, description: t.description, parameters: t.parameters }));
    return [
      'You can call functions. Each step write "Thought: ..." and then',
      `${this.opts.callPrefix} [{"name": "<function>", "arguments": {...}}, ...]`,
      'Functions within the same step should not have dependencies on each other; they run in parallel.',
      `When you are done, call ${this.opts.finishName} with {"return_type": "give_answer", "final_answer": "..."} ` +
        `or {"return_type": "${GIVE_UP}"}.`,
      'Functions:',
      ...specs,
    ].join('\n');
  }
}

export const parallelCallsFormat = definePlugin({
  kind: 'toolFormat',
  name: 'parallel-calls',
  summary: 'Divide-Then-Aggregate parallel calls: "Function Call: [ {name, arguments}, … ]" per turn, run concurrently, results in call order; Finish gives the answer',
  paper: {
    title: 'Divide-Then-Aggregate: An Efficient Tool Learning Method via Parallel Tool Invocation',
    arxiv: '2501.12432',
    section: '3.2 (parallel inference: independent calls of a step run concurrently; results aggregated in call order)',
  },
  options,
  create: (opts) => new ParallelCallsFormat(opts),
});
