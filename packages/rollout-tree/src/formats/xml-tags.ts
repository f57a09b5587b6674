import { definePlugin, type ParseResult, type Tool, type ToolFormat, type ToolResult } from '@tirl/core';
import { z } from 'zod';
import { findStrayTags } from './stray-tags';

const TAG = /^[A-Za-z][A-Za-z0-9_-]*$/;
const DEFAULT_FREE_TAGS = ['think'];

const options = z
  .object({
    /** Tags that are tool calls; the tag name is the tool name, the body its single argument. */
    tags: z.array(z.string().regex(TAG, 'must be a tag name like "python"')).min(1).default(['python', 'search']),
    /** Tag that carries the final answer. */
    answerTag: z.string().regex(TAG, 'must be a tag name like "answer"').default('answer'),
    /** Tag that wraps each observation (ARPO uses `result`, Search-R1 `information`). */
    observationTag: z.string().regex(TAG, 'must be a tag name like "result"').default('result'),
    /**
     * Tags the model may write freely (reasoning); any other tag pair in a turn without an answer is
     * reported to the model as an unknown tag instead of being taken as the answer.
     */
    freeTags: z.array(z.string().regex(TAG, 'must be a tag name like "think"')).default(DEFAULT_FREE_TAGS),
    /** End a turn right after a call's closing tag (one call per turn); false lets the model write several calls before EOS. */
    stopAfterCall: z.boolean().default(true),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (new Set(o.tags).size !== o.tags.length) ctx.addIssue({ code: 'custom', path: ['tags'], message: 'tags must be unique' });
    if (o.tags.includes(o.answerTag)) {
      ctx.addIssue({ code: 'custom', path: ['answerTag'], message: `"${o.answerTag}" is also a tool tag; pick another answerTag` });
    }
  });

type XmlTagsOptions = z.output<typeof options>;

/** Search-R1 / ARPO style calls: `<python>code</python>`, `<search>query</search>`, `<answer>...</answer>`. */
export class XmlTagsFormat implements ToolFormat {
  readonly stopStrings: readonly string[];
  private readonly freeTags: readonly string[];

  constructor(private readonly opts: Omit<XmlTagsOptions, 'freeTags' | 'stopAfterCall'> & { freeTags?: string[]; stopAfterCall?: boolean }) {
    this.freeTags = opts.freeTags ?? DEFAULT_FREE_TAGS;
    this.stopStrings = (opts.stopAfterCall === false ? [opts.answerTag] : [...opts.tags, opts.answerTag]).map((t) => `</${t}>`);
  }

  parse(text: string): ParseResult {
    const result: ParseResult = { calls: [], errors: [] };
    const names = [...this.opts.tags, this.opts.answerTag];
    let from = 0;
    for (;;) {
      const open = leftmostOpen(text, names, from);
      if (!open) break;
      const openTag = `<${open.name}>`;
      const closeTag = `</${open.name}>`;
      const end = text.indexOf(closeTag, open.at + openTag.length);
      if (end === -1) {
        result.errors.push({ raw: text.slice(open.at), message: `unclosed ${openTag}: end it with ${closeTag}` });
        break;
      }
      const body = text.slice(open.at + openTag.length, end).trim();
      if (open.name === this.opts.answerTag) {
        result.answer = body;
        break;
      }
      result.calls.push({ name: open.name, args: body, raw: text.slice(open.at, end + closeTag.length) });
      from = end + closeTag.length;
    }
    if (result.answer === undefined) result.errors.push(...this.strayTags(text, result));
    return result;
  }

  /** Unknown or malformed tag pairs outside the turn's calls (a call's body, e.g. code, may hold any text). */
  private strayTags(text: string, parsed: ParseResult) {
    let outside = text;
    for (const c of parsed.calls) outside = outside.replace(c.raw, ' ');
    for (const e of parsed.errors) outside = outside.replace(e.raw, ' ');
    const known = [...this.opts.tags, this.opts.answerTag];
    return findStrayTags(outside, known, this.freeTags, true);
  }

  renderObservations(results: readonly { name: string; result: ToolResult }[]): string {
    const tag = this.opts.observationTag;
    return results.map((r) => `\n<${tag}>\n${r.result.observation}\n</${tag}>\n`).join('');
  }

  describeTools(tools: readonly Tool[]): string {
    const lines = tools.map((t) => {
      const arg = Object.keys((t.parameters.properties as Record<string, unknown>) ?? {})[0] ?? 'input';
      return `- <${t.name}>${arg}</${t.name}>: ${t.description}`;
    });
    return [
      'You can call tools by writing a tag whose body is the tool input; the result comes back in ' +
        `<${this.opts.observationTag}></${this.opts.observationTag}> tags.`,
      ...lines,
      `Give the final answer inside <${this.opts.answerTag}></${this.opts.answerTag}>.`,
    ].join('\n');
  }
}

function leftmostOpen(text: string, names: readonly string[], from: number): { name: string; at: number } | undefined {
  let best: { name: string; at: number } | undefined;
  for (const name of names) {
    const at = text.indexOf(`<${name}>`, from);
    if (at !== -1 && (!best || at < best.at)) best = { name, at };
  }
  return best;
}

export const xmlTagsFormat = definePlugin({
  kind: 'toolFormat',
  name: 'xml-tags',
  summary: 'Tag-per-tool calls (<python>, <search>) with an <answer> tag; the body is the single argument.',
  paper: { title: 'Search-R1: Training LLMs to Reason and Leverage Search Engines with RL', arxiv: '2503.09516', section: '3.2' },
  options,
  create: (opts) => new XmlTagsFormat(opts),
});
