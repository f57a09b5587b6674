import { errorMessage, guardedToolCall, toolFailure } from '@tirl/core';
import type { JsonSchema, Tool, ToolContext, ToolResult } from '@tirl/core';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { acquireConnection, isSessionLoss, type McpConnection, type McpToolInfo } from './mcp-connection';
import { mcpServerSchema, type McpServerSpec } from './server-spec';

export interface McpToolOptions {
  /** Longest observation in characters; the rest is cut (MATPO cuts tool responses at 20,000). */
  maxObservationChars: number;
}

/** Content blocks of an MCP tool result, as text the model reads. */
export function renderContent(content: readonly Record<string, unknown>[]): string {
  return content
    .map((block) => {
      switch (block.type) {
        case 'text':
          return String(block.text);
        case 'image':
        case 'audio':
          return `[${block.type}: ${String(block.mimeType)}, ${Math.floor((String(block.data).length * 3) / 4)} bytes]`;
        case 'resource': {
          const resource = block.resource as Record<string, unknown>;
          return typeof resource.text === 'string' ? resource.text : `[resource: ${String(resource.uri)}]`;
        }
        case 'resource_link':
          return `[resource: ${String(block.uri)}]`;
        default:
          return `[${String(block.type)} content]`;
      }
    })
    .join('\n');
}

/** Calls one tool of a connected server under the call's time limit; every failure becomes an observation. */
export async function callMcpTool(
  connection: McpConnection,
  exposedName: string,
  serverName: string,
  args: unknown,
  ctx: ToolContext,
  options: McpToolOptions,
): Promise<ToolResult> {
  const parsed = typeof args === 'string' ? safeJson(args) : args;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return toolFailure(exposedName, 'schema', 'bad arguments (expected a JSON object)');
  }
  const unavailable = () => toolFailure(exposedName, 'unavailable', connection.lostReason ?? `the MCP server "${connection.label}" has closed`);
  return guardedToolCall(exposedName, ctx, async (signal) => {
    if (connection.closed) return unavailable();
    try {
      // A lost session ends the call at once, not at its timeout.
      const result = await connection.client.callTool(
        { name: serverName, arguments: parsed as Record<string, unknown> },
        undefined,
        { signal: AbortSignal.any([signal, connection.lost]), timeout: ctx.timeoutMs },
      );
      const content = (result.content ?? []) as Record<string, unknown>[];
      let observation = renderContent(content);
      if (observation.length > options.maxObservationChars) {
        observation = `${observation.slice(0, options.maxObservationChars)}… [cut at ${options.maxObservationChars} characters]`;
      }
      const data = { content, structuredContent: result.structuredContent };
      if (result.isError) {
        // The SDK's servers answer invalid arguments with an error result, not a protocol error.
        const error = /^MCP error -32602: Input validation/.test(observation) ? 'schema' : 'tool-error';
        return { ok: false, error, observation: `${exposedName}: ${observation}`, data };
      }
      return { ok: true, observation, data };
    } catch (error) {
      if (error instanceof McpError && error.code === -32602) return toolFailure(exposedName, 'schema', `bad arguments (${error.message})`);
      if (isSessionLoss(error)) connection.markLost(`the MCP server "${connection.label}" is unreachable (${errorMessage(error)})`);
      if (connection.closed) return unavailable();
      return toolFailure(exposedName, 'crash', errorMessage(error));
    }
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface ConnectMcpToolsOptions {
  server: McpServerSpec | Record<string, unknown>;
  /** Server tool names to expose (default: all). An unknown name is an error that lists the server's tools. */
  include?: readonly string[];
  /** Prefix of the names the model calls (e.g. `fs_`), to keep two servers' tools apart. */
  prefix?: string;
  connectTimeoutMs?: number;
  maxObservationChars?: number;
}

/**
 * Connects to an MCP server once and returns one tirl tool per server tool, each with the server's name,
 * description and input schema. The tools share the session; disposing the last one closes it.
 */
export async function connectMcpTools(options: ConnectMcpToolsOptions): Promise<Tool[]> {
  const server = mcpServerSchema.parse(options.server);
  const timeoutMs = options.connectTimeoutMs ?? 20_000;
  const connection = await acquireConnection(server, timeoutMs);
  const reconnect = () => acquireConnection(server, timeoutMs);
  try {
    const infos = pickTools(connection, options.include);
    const callOptions = { maxObservationChars: options.maxObservationChars ?? 20_000 };
    const tools = infos.map((info) => {
      connection.acquire();
      return adaptTool(connection, info, `${options.prefix ?? ''}${info.name}`, callOptions, reconnect);
    });
    return tools;
  } finally {
    await connection.release();
  }
}

function pickTools(connection: McpConnection, include: readonly string[] | undefined): McpToolInfo[] {
  if (!include) return [...connection.tools];
  const known = connection.tools.map((t) => t.name);
  return include.map((name) => {
    const info = connection.tools.find((t) => t.name === name);
    if (!info) throw new Error(`MCP server "${connection.label}" has no tool "${name}"; it has: ${known.join(', ') || 'none'}`);
    return info;
  });
}

function adaptTool(
  first: McpConnection,
  info: McpToolInfo,
  name: string,
  options: McpToolOptions,
  reconnect: () => Promise<McpConnection>,
): Tool {
  let disposed = false;
  let connection = first;
  let reopening: Promise<McpConnection> | undefined;
  /** The tool's session, reopened (once for concurrent calls) when the old one was lost. */
  const live = async (): Promise<McpConnection> => {
    if (!connection.closed) return connection;
    reopening ??= (async () => {
      const lost = connection;
      const next = await reconnect();
      connection = next;
      await lost.release();
      return next;
    })().finally(() => (reopening = undefined));
    return reopening;
  };
  return {
    name,
    description: info.description,
    parameters: info.inputSchema as JsonSchema,
    async call(args, ctx) {
      if (disposed) return toolFailure(name, 'unavailable', 'the tool has been disposed');
      let current: McpConnection;
      try {
        current = await live();
      } catch (error) {
        return toolFailure(name, 'unavailable', errorMessage(error));
      }
      return callMcpTool(current, name, info.name, args, ctx, options);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await connection.release();
    },
  };
}
