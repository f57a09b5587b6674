import { definePlugin, type JsonSchema, type Tool, type ToolResult , errorMessage, toolFailure } from '@tirl/core';
import { z } from 'zod';
import { acquireConnection, type McpConnection, type McpToolInfo } from './mcp/mcp-connection';
import { callMcpTool } from './mcp/mcp-tools';
import { describeServer, mcpServerSchema } from './mcp/server-spec';

const options = z
  .object({
    /** The MCP server: `{ transport: 'stdio', command, args, env, cwd }` or `{ transport: 'http', url, headers }`. */
    server: mcpServerSchema,
    /** The server's name of the tool to expose. */
    tool: z.string().min(1),
    /** The name the model calls; empty means the server's name. */
    name: z.string().regex(/^([A-Za-z_][A-Za-z0-9_-]*)?$/).default(''),
    connectTimeoutMs: z.number().int().positive().default(20_000),
    /** Longest observation in characters (MATPO cuts tool responses at 20,000). */
    maxObservationChars: z.number().int().min(100).default(20_000),
  })
  .strict();

/** A tool that connects to its server on first use; `ready()` connects early and loads the server's schema. */
export interface McpTool extends Tool {
  dispose(): Promise<void>;
  ready(): Promise<void>;
}

/**
 * `tool/mcp`: one tool of an MCP server as a tirl tool. Entries naming the same server share one session
 * (one process for stdio). The server is contacted on `ready()` or the first call, not at creation; until
 * then `parameters` is a permissive object schema. `connectMcpTools` gives all tools of a server at once.
 */
export const mcpTool = definePlugin({
  kind: 'tool',
  name: 'mcp',
  summary: 'One tool of a Model Context Protocol server (stdio or streamable HTTP), with its schema',
  paper: {
    title: 'MATPO: Multi-Agent Tool-Integrated Policy Optimization',
    arxiv: '2510.04678',
    section: 'tools served over MCP',
  },
  options,
  create(o): McpTool {
    const exposed = o.name || o.tool;
    let connecting: Promise<{ connection: McpConnection; info: McpToolInfo }> | undefined;
    let info: McpToolInfo | undefined;
    let disposed = false;

    const connect = () => {
      if (connecting) return connecting;
      const attempt = (async () => {
        const connection = await acquireConnection(o.server, o.connectTimeoutMs);
        const found = connection.tools.find((t) => t.name === o.tool);
        if (!found) {
          await connection.release();
          const known = connection.tools.map((t) => t.name).join(', ') || 'none';
          throw new Error(`MCP server "${describeServer(o.server)}" has no tool "${o.tool}"; it has: ${known}. Fix the tool option`);
        }
        info = found;
        return { connection, info: found };
      })();
      connecting = attempt;
      attempt.catch(() => {
        if (connecting === attempt) connecting = undefined; // the next call tries again
      });
      return attempt;
    };

    return {
      name: exposed,
      get description() {
        return info?.description ?? `Tool "${o.tool}" of the MCP server ${describeServer(o.server)}`;
      },
      get parameters(): JsonSchema {
        return info?.inputSchema ?? { type: 'object' };
      },
      async ready() {
        await connect();
      },
      async call(args, ctx): Promise<ToolResult> {
        if (disposed) return toolFailure(exposed, 'unavailable', 'the tool has been disposed');
        let session;
        try {
          session = await connect();
          if (session.connection.closed) {
            connecting = undefined;
            await session.connection.release();
            session = await connect();
          }
        } catch (error) {
          return toolFailure(exposed, 'unavailable', errorMessage(error));
        }
        return callMcpTool(session.connection, exposed, o.tool, args, ctx, { maxObservationChars: o.maxObservationChars });
      },
      async dispose() {
        disposed = true;
        const pending = connecting;
        connecting = undefined;
        if (pending) await pending.then((s) => s.connection.release(), () => undefined);
      },
    };
  },
});
