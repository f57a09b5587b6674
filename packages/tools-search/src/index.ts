import type { AnyPluginDefinition } from '@tirl/core';
import { join } from 'node:path';
import { httpSearchTool } from './http-search-tool';
import { apiRetrieverTool } from './api-retriever-tool';
import { mcpTool } from './mcp-tool';
import { openTool } from './open-tool';
import { searchTool } from './search-tool';

export { searchTool } from './search-tool';
export { openTool } from './open-tool';
export { httpSearchTool } from './http-search-tool';
export { mcpTool, type McpTool } from './mcp-tool';
export { apiDocumentText, ApiRetrieverTool, apiRetrieverTool, type ApiDoc } from './api-retriever-tool';
export { connectMcpTools, renderContent, type ConnectMcpToolsOptions } from './mcp/mcp-tools';
export { mcpServerSchema, type McpServerSpec } from './mcp/server-spec';
export { Bm25Index, type Bm25Params, type SearchHit } from './bm25/bm25-index';
export { parseCorpus, readCorpus, type CorpusDoc } from './bm25/corpus';
export { clearIndexCache, loadIndex, type CorpusSource, type IndexRequest, type LoadedIndex } from './bm25/index-store';
export { paginate, snippet } from './bm25/text-windows';
export { compileBlocklist } from './shared/blocklist';

/** The bundled demo corpus: 36 short generated articles (JSONL), for tests and demos. */
export const demoCorpusPath = join(__dirname, '..', 'corpus', 'demo.jsonl');

export const plugins: readonly AnyPluginDefinition[] = [searchTool, openTool, httpSearchTool, mcpTool, apiRetrieverTool];
