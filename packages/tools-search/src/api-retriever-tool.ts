import { definePlugin, Tokens, type Tool, type ToolRegistry, type ToolResult } from '@tirl/core';
import { z } from 'zod';
import { Bm25Index } from './bm25/bm25-index';
import type { CorpusDoc } from './bm25/corpus';
import { acquireConnection } from './mcp/mcp-connection';
import { mcpServerSchema } from './mcp/server-spec';

/** One API the retriever can return. */
export interface ApiDoc {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  category?: string;
}

/**
 * ToolBench's retrieval document of an API: "{category}, {tool}, {api}, {description}, required_params:
 * {json}, optional_params: {json}" (toolbench/retrieval; a tirl tool is both the tool and its API).
 */
export function apiDocumentText(api: ApiDoc): string {
  const props = (api.parameters.properties as Record<string, unknown> | undefined) ?? {};
  const required = Array.isArray(api.parameters.required) ? (api.parameters.required as string[]) : [];
  const pick = (names: string[]) => JSON.stringify(names.map((n) => ({ name: n, ...(props[n] as object) })));
  const optional = Object.keys(props).filter((n) => !required.includes(n));
  return `${api.category ?? ''}, ${api.name}, ${api.name}, ${api.description}, required_params: ${pick(required)}, optional_params: ${pick(optional)}`;
}

const options = z
  .object({
    /** The name the model calls. */
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/).default('retrieve_apis'),
    /** APIs returned per query (ToolBench `retrieved_api_nums`). */
    topK: z.number().int().min(1).max(100).default(5),
    /** Retrieve over this MCP server's tool list; absent: over the run's own tools. */
    server: mcpServerSchema.optional(),
    /** Category written into each document (ToolBench's RapidAPI category). */
    category: z.string().default(''),
    connectTimeoutMs: z.number().int().positive().default(20_000),
    /** Okapi BM25 constants. */
    bm25: z.object({ k1: z.number().positive().default(1.2), b: z.number().min(0).max(1).default(0.75) }).strict().default({ k1: 1.2, b: 0.75 }),
  })
  .strict();

type RetrieverOptions = z.output<typeof options>;

/** The API retriever as a tool: `{query}` → the top-k APIs (name, description, parameters) by BM25. */
export class ApiRetrieverTool implements Tool {
  readonly name: string;
  readonly description: string;
  readonly parameters = {
    type: 'object',
    properties: { query: { type: 'string', description: 'What you need an API for' } },
    required: ['query'],
    additionalProperties: false,
  } as const;
  private index?: Promise<{ index: Bm25Index; apis: Map<string, ApiDoc> }>;

  constructor(
    private readonly o: RetrieverOptions,
    private readonly registry: () => ToolRegistry | undefined,
  ) {
    this.name = o.name;
    this.description = `Finds the APIs that fit a need: returns the ${o.topK} best matches with their parameters.`;
  }

  /** The APIs to retrieve from, each once. */
  async apis(): Promise<ApiDoc[]> {
    if (this.o.server) {
      const conn = await acquireConnection(this.o.server, this.o.connectTimeoutMs);
      try {
        return conn.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.inputSchema, category: this.o.category }));
      } finally {
        await conn.release();
      }
    }
    return [...(this.registry()?.values() ?? [])]
      .filter((t) => t.name !== this.name)
      .map((t) => ({ name: t.name, description: t.description, parameters: t.parameters, category: this.o.category }));
  }

  private build() {
    return (this.index ??= this.apis().then((apis) => {
      const docs: CorpusDoc[] = apis.map((a) => ({ id: a.name, title: '', text: apiDocumentText(a), url: '' }));
      return { index: Bm25Index.build(docs, this.o.bm25), apis: new Map(apis.map((a) => [a.name, a])) };
    }));
  }

  /** The top-k API names for a query, best first. */
  async retrieve(query: string): Promise<ApiDoc[]> {
    const { index, apis } = await this.build();
    return index
      .search(query)
      .slice(0, this.o.topK)
      .map((h) => apis.get(h.doc.id)!);
  }

  async call(args: unknown): Promise<ToolResult> {
    const query = (args as { query?: unknown })?.query;
    if (typeof query !== 'string' || !query.trim()) return { ok: false, error: 'schema', observation: `error: ${this.name}: "query" must be a non-empty string.` };
    try {
      const hits = await this.retrieve(query);
      if (!hits.length) return { ok: true, observation: 'No API matches the query.' };
      return { ok: true, observation: hits.map((a) => JSON.stringify({ name: a.name, description: a.description, parameters: a.parameters })).join('\n') };
    } catch (e) {
      this.index = undefined;
      return { ok: false, error: 'crash', observation: `error: ${this.name}: the API list could not be read (${e instanceof Error ? e.message : String(e)}).` };
    }
  }
}

/**
 * ToolLLM's API retriever: given a need in words, the APIs most relevant to it (over the run's tools or an
 * MCP server's tool list). ToolLLM trains a dense bi-encoder (BERT, in-batch negatives); this ranks the same
 * documents with Okapi BM25.
 */
export const apiRetrieverTool = definePlugin({
  kind: 'tool',
  name: 'api-retriever',
  summary: 'ToolLLM API retriever: the top-k APIs for a need, ranked by BM25 over ToolBench-style API documents (the run\'s tools or an MCP server\'s list)',
  paper: {
    title: 'ToolLLM: Facilitating Large Language Models to Master 16000+ Real-world APIs',
    arxiv: '2307.16789',
    section: '3.2 (API retriever); retrieved_api_nums 5 and the document layout from toolbench/retrieval',
  },
  options,
  // The run's tools are read on the first call, not injected: the registry holds this tool too.
  create: (o, ctx) =>
    new ApiRetrieverTool(o, () => (ctx.services.tools as ToolRegistry | undefined) ?? (ctx.container.isRegistered(Tokens.tools, true) ? ctx.resolve(Tokens.tools) : undefined)),
});
