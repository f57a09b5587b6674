import { definePlugin, type Tool, type ToolResult , errorMessage, guardedToolCall, parseToolArgs, toolArgumentsSchema, toolFailure } from '@tirl/core';
import { z } from 'zod';
import { checkCorpusSource, corpusOptionShape, indexRequest } from './bm25/corpus-options';
import { loadIndex } from './bm25/index-store';
import { snippet } from './bm25/text-windows';
import { compileBlocklist } from './shared/blocklist';

const options = z
  .object({
    ...corpusOptionShape,
    /** The name the model calls. */
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/).default('search'),
    /** Results when the call gives no `k`. */
    k: z.number().int().min(1).default(5),
    /** The largest `k` a call may ask for. */
    maxK: z.number().int().min(1).default(20),
    /** Characters of text shown per result. */
    snippetChars: z.number().int().min(20).default(300),
  })
  .strict()
  .superRefine(checkCorpusSource)
  .superRefine((o, ctx) => {
    if (o.k > o.maxK) ctx.addIssue({ code: 'custom', path: ['k'], message: `k (${o.k}) must be at most maxK (${o.maxK})` });
  });

/** `tool/search`: BM25 retrieval over a local JSONL corpus, returning ranked snippets. */
export const searchTool = definePlugin({
  kind: 'tool',
  name: 'search',
  summary: 'Local BM25 search over a JSONL corpus: ranked snippets, URL blocklist, persisted index',
  paper: {
    title: 'The Probabilistic Relevance Framework: BM25 and Beyond',
    url: 'https://doi.org/10.1561/1500000019',
    section: '3.4 (BM25), blocklist as in MATPO (arXiv 2510.04678)',
  },
  options,
  create(o): Tool {
    const args = z
      .object({
        query: z.string().trim().min(1).max(1000).describe('What to search for, in words'),
        k: z.number().int().min(1).max(o.maxK).optional().describe(`How many results (default ${o.k}, at most ${o.maxK})`),
      })
      .strict();
    const blocked = compileBlocklist(o.blocklist);
    const request = indexRequest(o);
    return {
      name: o.name,
      description: `Search the document collection; returns the ${o.k} best matches with an id and a snippet each.`,
      parameters: toolArgumentsSchema(args),
      call: (raw, ctx) =>
        guardedToolCall(o.name, ctx, async (): Promise<ToolResult> => {
          const parsed = parseToolArgs(o.name, args, raw);
          if (!parsed.ok) return parsed.result;
          let index;
          try {
            index = (await loadIndex(request)).index;
          } catch (error) {
            return toolFailure(o.name, 'unavailable', `the index cannot be opened (${errorMessage(error)})`);
          }
          const { query } = parsed.value;
          const k = parsed.value.k ?? o.k;
          const terms = index.terms(query);
          const all = index.search(query);
          const hits = all.filter((hit) => !blocked(hit.doc.url)).slice(0, k);
          const removed = all.length - all.filter((hit) => !blocked(hit.doc.url)).length;
          if (hits.length === 0) return { ok: true, observation: `No results for "${query}".`, data: { hits: [], blocked: removed } };
          const observation = hits
            .map((hit, i) => {
              const where = hit.doc.url ? `, url: ${hit.doc.url}` : '';
              return `[${i + 1}] ${hit.doc.title || '(untitled)'} (id: ${hit.doc.id}${where})\n${snippet(hit.doc.text, terms, o.snippetChars)}`;
            })
            .join('\n\n');
          const data = { hits: hits.map((h) => ({ id: h.doc.id, title: h.doc.title, url: h.doc.url, score: h.score })), blocked: removed };
          return { ok: true, observation, data };
        }),
    };
  },
});
