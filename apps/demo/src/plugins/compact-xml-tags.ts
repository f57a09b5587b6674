import { definePlugin, type Tool } from '@tirl/core';
import { XmlTagsFormat } from '@tirl/rollout-tree';
import { z } from 'zod';
import { charMatchReward } from './char-match';

const TAG = /^[A-Za-z][A-Za-z0-9_-]*$/;

const options = z
  .object({
    /** Tags that are tool calls; the tag name is the tool name, the body its single argument. */
    tags: z.array(z.string().regex(TAG, 'must be a tag name like "search"')).min(1).default(['search']),
    /** End a turn after a call (one call per turn); false: several calls per turn, the turn ends at EOS. */
    stopAfterCall: z.boolean().default(true),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (new Set(o.tags).size !== o.tags.length) ctx.addIssue({ code: 'custom', path: ['tags'], message: 'tags must be unique' });
    if (o.tags.includes('answer')) ctx.addIssue({ code: 'custom', path: ['tags'], message: '"answer" is the answer tag; remove it from tags' });
  });

/**
 * The xml-tags format with a one-line tool description. A byte-level model reads every character of
 * the system prompt on every step, and a model trained from scratch cannot read instructions anyway.
 */
export class CompactXmlTagsFormat extends XmlTagsFormat {
  constructor(tags: readonly string[], stopAfterCall = true) {
    super({ tags: [...tags], answerTag: 'answer', observationTag: 'result', stopAfterCall });
  }

  override describeTools(tools: readonly Tool[]): string {
    return `Tools: ${tools.map((t) => `<${t.name}>…</${t.name}>`).join(' ')} Answer: <answer>…</answer>`;
  }
}

export const compactXmlTagsFormat = definePlugin({
  kind: 'toolFormat',
  name: 'xml-tags-compact',
  summary: 'The xml-tags call format (<search>…</search>, <answer>…</answer>) with a one-line tool description.',
  paper: { title: 'Search-R1: Training LLMs to Reason and Leverage Search Engines with RL', arxiv: '2503.09516', section: '3.2' },
  options,
  create: (opts) => new CompactXmlTagsFormat(opts.tags, opts.stopAfterCall),
});

/** Plugins the demo adds to the installed ones. */
export const demoPlugins = [compactXmlTagsFormat, charMatchReward];
