import { definePlugin, type Tool, type ToolResult , guardedToolCall, parseToolArgs, toolArgumentsSchema, toolFailure } from '@tirl/core';
import { z } from 'zod';
import { HttpError, fetchJsonWithRetry } from './http/fetch-with-retry';
import { LruCache } from './http/lru-cache';
import { compileBlocklist } from './shared/blocklist';

const options = z
  .object({
    /** Base URL of a SearXNG-compatible service, e.g. `http://localhost:8888`. */
    baseUrl: z.url(),
    /** Path of the JSON search endpoint. */
    path: z.string().startsWith('/').default('/search'),
    /** Extra query parameters (e.g. `{ engines: 'wikipedia', language: 'en' }`). */
    params: z.record(z.string(), z.string()).default({}),
    /** Extra request headers (e.g. an API key). */
    headers: z.record(z.string(), z.string()).default({}),
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/).default('web_search'),
    k: z.number().int().min(1).default(5),
    maxK: z.number().int().min(1).default(20),
    snippetChars: z.number().int().min(20).default(300),
    /** Limit of one HTTP attempt; the call's own `timeoutMs` bounds all attempts together. */
    requestTimeoutMs: z.number().int().positive().default(10_000),
    retries: z.number().int().min(0).max(10).default(2),
    backoffMs: z.number().min(0).default(250),
    backoffFactor: z.number().min(1).default(2),
    /** Cached queries (least recently used dropped first); 0 turns the cache off. */
    cacheSize: z.number().int().min(0).default(256),
    /** URL patterns removed from results (`*` is a wildcard), e.g. `huggingface.co/datasets`. */
    blocklist: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.k > o.maxK) ctx.addIssue({ code: 'custom', path: ['k'], message: `k (${o.k}) must be at most maxK (${o.maxK})` });
  });

const searxResponse = z.object({
  results: z.array(
    z.object({ url: z.string().default(''), title: z.string().default(''), content: z.string().nullish() }).loose(),
  ),
});

interface WebHit {
  title: string;
  url: string;
  content: string;
}

/** `tool/http-search`: web search through a SearXNG-style JSON API with timeout, retries and a cache. */
export const httpSearchTool = definePlugin({
  kind: 'tool',
  name: 'http-search',
  summary: 'Web search through a SearXNG-style JSON API (GET /search?q=...&format=json), with retries and a cache',
  paper: {
    title: 'MATPO: Multi-Agent Tool-Integrated Policy Optimization',
    arxiv: '2510.04678',
    section: 'web search tool; dataset pages blocked from results',
  },
  options,
  create(o): Tool {
    const args = z
      .object({
        query: z.string().trim().min(1).max(1000).describe('What to search the web for'),
        k: z.number().int().min(1).max(o.maxK).optional().describe(`How many results (default ${o.k}, at most ${o.maxK})`),
      })
      .strict();
    const blocked = compileBlocklist(o.blocklist);
    const cache = new LruCache<WebHit[]>(o.cacheSize);
    const endpoint = new URL(o.path, o.baseUrl);
    return {
      name: o.name,
      description: 'Search the web; returns titles, urls and snippets of the best results.',
      parameters: toolArgumentsSchema(args),
      call: (raw, ctx) =>
        guardedToolCall(o.name, ctx, async (signal): Promise<ToolResult> => {
          const parsed = parseToolArgs(o.name, args, raw);
          if (!parsed.ok) return parsed.result;
          const { query } = parsed.value;
          const k = parsed.value.k ?? o.k;
          let hits = cache.get(query);
          const cached = hits !== undefined;
          let attempts = 0;
          if (!hits) {
            const url = new URL(endpoint);
            for (const [key, value] of Object.entries(o.params)) url.searchParams.set(key, value);
            url.searchParams.set('q', query);
            url.searchParams.set('format', 'json');
            try {
              const policy = { retries: o.retries, backoffMs: o.backoffMs, factor: o.backoffFactor, attemptTimeoutMs: o.requestTimeoutMs };
              const response = await fetchJsonWithRetry(url.toString(), { headers: { ...o.headers }, signal }, policy);
              attempts = response.attempts;
              const body = searxResponse.safeParse(response.body);
              if (!body.success) return toolFailure(o.name, 'bad-response', 'the search service answered without a `results` list');
              hits = body.data.results.map((r) => ({ title: r.title, url: r.url, content: r.content ?? '' }));
            } catch (error) {
              if (error instanceof HttpError) return { ...toolFailure(o.name, 'unavailable', `the search service failed: ${error.message}`), data: { attempts: error.attempts } };
              throw error;
            }
            cache.set(query, hits);
          }
          const kept = hits.filter((hit) => !blocked(hit.url));
          const shown = kept.slice(0, k);
          const data = { hits: shown, blocked: hits.length - kept.length, cached, attempts };
          if (shown.length === 0) return { ok: true, observation: `No results for "${query}".`, data };
          const observation = shown
            .map((hit, i) => `[${i + 1}] ${hit.title || '(untitled)'} (url: ${hit.url})\n${clip(hit.content, o.snippetChars)}`)
            .join('\n\n');
          return { ok: true, observation, data };
        }),
      dispose() {
        cache.clear();
      },
    };
  },
});

function clip(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= length ? flat : `${flat.slice(0, length)}…`;
}
