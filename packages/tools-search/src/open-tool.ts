import { definePlugin, type Tool, type ToolResult , errorMessage, guardedToolCall, parseToolArgs, toolArgumentsSchema, toolFailure } from '@tirl/core';
import { z } from 'zod';
import { checkCorpusSource, corpusOptionShape, indexRequest } from './bm25/corpus-options';
import type { CorpusDoc } from './bm25/corpus';
import { loadIndex } from './bm25/index-store';
import { paginate } from './bm25/text-windows';
import { compileBlocklist } from './shared/blocklist';

const options = z
  .object({
    ...corpusOptionShape,
    /** The name the model calls. */
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/).default('open'),
    /** Characters per page. */
    pageChars: z.number().int().min(100).default(2000),
  })
  .strict()
  .superRefine(checkCorpusSource);

const args = z
  .object({
    id: z.string().min(1).optional().describe('Document id from a search result'),
    url: z.string().min(1).optional().describe('Document url from a search result'),
    page: z.number().int().min(1).optional().describe('Page number, from 1; default: the page after the last one opened'),
  })
  .strict()
  .refine((a) => (a.id === undefined) !== (a.url === undefined), { message: 'give exactly one of id or url', path: ['id'] });

/** `tool/open`: browses a document of a local corpus page by page; remembers the last page per trajectory. */
export const openTool = definePlugin({
  kind: 'tool',
  name: 'open',
  summary: 'Opens a document of a local corpus by id or url, one page at a time (browsing)',
  paper: {
    title: 'MATPO: Multi-Agent Tool-Integrated Policy Optimization',
    arxiv: '2510.04678',
    section: 'search + scrape tools with a URL blocklist',
  },
  options,
  create(o): Tool {
    const blocked = compileBlocklist(o.blocklist);
    const request = indexRequest(o);
    const pages = new Map<string, string[]>();
    /** trajectory → document id → last page opened (1-based). */
    const lastPage = new Map<string, Map<string, number>>();
    const pagesOf = (doc: CorpusDoc) => {
      let list = pages.get(doc.id);
      if (!list) pages.set(doc.id, (list = paginate(`${doc.title}\n\n${doc.text}`.trim(), o.pageChars)));
      return list;
    };
    return {
      name: o.name,
      description: `Open a document by id or url; shows one page of at most ${o.pageChars} characters.`,
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
          const { id, url } = parsed.value;
          const doc = id !== undefined ? index.get(id) : index.getByUrl(url!);
          const what = id !== undefined ? `id "${id}"` : `url "${url}"`;
          if (!doc) return toolFailure(o.name, 'not-found', `no document with ${what}; use an id or url from a search result`);
          if (blocked(doc.url)) return toolFailure(o.name, 'refused', `${what} is blocked and cannot be opened`);
          const list = pagesOf(doc);
          const seen = lastPage.get(ctx.trajectoryId) ?? new Map<string, number>();
          const page = parsed.value.page ?? Math.min(list.length, (seen.get(doc.id) ?? 0) + 1);
          if (page > list.length) {
            return toolFailure(o.name, 'out-of-range', `page ${page} does not exist; "${doc.id}" has ${list.length} page(s)`);
          }
          seen.set(doc.id, page);
          lastPage.set(ctx.trajectoryId, seen);
          const header = `${doc.title || '(untitled)'} (id: ${doc.id}${doc.url ? `, url: ${doc.url}` : ''}) page ${page} of ${list.length}`;
          return { ok: true, observation: `${header}\n${list[page - 1]}`, data: { id: doc.id, url: doc.url, page, pages: list.length } };
        }),
      release(trajectoryId) {
        lastPage.delete(trajectoryId);
      },
      dispose() {
        lastPage.clear();
        pages.clear();
      },
    };
  },
});
