import { definePlugin, type Sample } from '@tirl/core';
import { z } from 'zod';
import { bm25Scores, topK } from '../util/bm25';
import { EpochOrder, type EpochOrderState } from './epoch-order';
import { questionOf } from './exemplar-pool';

/** `I have the following set of <what>:\n\n` + each item and a newline + `-------------`; empty without items. */
export function block(what: string, items: readonly string[]): string {
  return items.length ? `I have the following set of ${what}:\n\n${items.map((x) => `${x}\n`).join('')}-------------` : '';
}

/** The ToolBench RAG prompt: `{api_docs}\n{examples}\nTask: {query}\nAction:\n`. */
export function demoPrompt(query: string, apiDocs: readonly string[], examples: readonly string[]): string {
  return `${block('API', apiDocs)}\n${block('examples', examples)}\nTask: ${query}\nAction:\n`;
}

/**
 * Demonstration retrieval: each prompt's task becomes the paper's retrieval-augmented prompt — the `topKApi`
 * API documents and `topKExamples` demonstrations most similar to the task (BM25), then the task and
 * "Action:". The rendered prompt replaces the last user message (prompt tokens, never trained).
 */
export const demoRetrieval = definePlugin({
  kind: 'sampler',
  name: 'demo-retrieval',
  summary: 'Tool-manipulation prompts: the API docs and demonstrations most similar to the task (BM25) put before "Task: … Action:"',
  paper: {
    title: 'On the Tool Manipulation Capability of Open-source Large Language Models',
    arxiv: '2305.16504',
    section: '4 (in-context demonstration retriever; top_k_example 3 in the released test_all.sh)',
  },
  options: z
    .object({
      /** Demonstration documents (e.g. "Task: …\nAction:\n…"), one per retrievable example. */
      demonstrations: z.array(z.string().min(1)).default([]),
      /** API documents; all of them are candidates for each task. */
      apiDocs: z.array(z.string().min(1)).default([]),
      /** top_k_example: 3 in the released scripts; 0 = no demonstrations. */
      topKExamples: z.number().int().nonnegative().default(3),
      /** top_k_api: per task in the released scripts (2-20); default every document given. */
      topKApi: z.number().int().positive().optional(),
      shuffle: z.boolean().default(true),
    })
    .strict(),
  create(options, ctx) {
    const order = new EpochOrder(ctx.rng, options.shuffle, ctx.id);
    const retrieve = (query: string, docs: readonly string[], k: number) => (k > 0 ? topK(bm25Scores(query, docs), k).map((i) => docs[i]) : []);
    const render = (sample: Sample): Sample => {
      const query = questionOf(sample);
      const apis = retrieve(query, options.apiDocs, options.topKApi ?? options.apiDocs.length);
      const examples = retrieve(query, options.demonstrations, options.topKExamples);
      const messages = sample.messages.map((m) => ({ ...m }));
      const last = messages.map((m) => m.role).lastIndexOf('user');
      const content = demoPrompt(query, apis, examples);
      if (last >= 0) messages[last].content = content;
      else messages.push({ role: 'user', content });
      return { ...sample, messages };
    };
    return {
      setDataset: (samples) => order.setDataset(samples),
      next: (n) => order.next(n).map((sample) => ({ sample: render(sample) })),
      state: () => ({ order: order.state() }),
      loadState: (state) => order.loadState((state as { order?: EpochOrderState } | undefined)?.order),
    };
  },
});
