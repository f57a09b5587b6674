import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { describeServer, type McpServerSpec } from './server-spec';

/** A tool as the server lists it. */
export interface McpToolInfo {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** One client session with a server, shared by every tool of that server and counted by reference. */
export class McpConnection {
  private refs = 0;
  closed = false;

  constructor(
    readonly key: string,
    readonly label: string,
    readonly client: Client,
    readonly tools: readonly McpToolInfo[],
  ) {}

  acquire(): this {
    this.refs++;
    return this;
  }

  /** Drops one reference; the last one closes the session (and ends a stdio server process). */
  async release(): Promise<void> {
    this.refs = Math.max(0, this.refs - 1);
    if (this.refs === 0) await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    open.delete(this.key);
    await this.client.close().catch(() => undefined);
  }
}

/** Open sessions keyed by server spec, so one server named twice runs once. Holds connections, not plugins. */
const open = new Map<string, Promise<McpConnection>>();

/** Connects to a server (or joins the open session to it) and lists its tools; the caller owns one reference. */
export async function acquireConnection(spec: McpServerSpec, timeoutMs: number): Promise<McpConnection> {
  const key = JSON.stringify(spec);
  let pending = open.get(key);
  if (!pending) {
    pending = connect(key, spec, timeoutMs);
    open.set(key, pending);
    pending.catch(() => open.delete(key));
  }
  return (await pending).acquire();
}

async function connect(key: string, spec: McpServerSpec, timeoutMs: number): Promise<McpConnection> {
  const client = new Client({ name: 'tirl', version: '0.1.0' });
  const label = describeServer(spec);
  let connection: McpConnection | undefined;
  const stderrTail = { text: '' };
  client.onclose = () => {
    if (connection) connection.closed = true;
    if (open.get(key) && connection) open.delete(key);
  };
  try {
    await client.connect(transportFor(spec, stderrTail), { timeout: timeoutMs });
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
      for (const t of page.tools) {
        tools.push({ name: t.name, description: t.description ?? '', inputSchema: t.inputSchema as Record<string, unknown> });
      }
      cursor = page.nextCursor;
    } while (cursor);
    connection = new McpConnection(key, label, client, tools);
    return connection;
  } catch (error) {
    await client.close().catch(() => undefined);
    const stderr = stderrTail.text.trim() ? `; its stderr ends: ${stderrTail.text.trim().slice(-300)}` : '';
    throw new Error(`MCP server "${label}" could not be reached (${error instanceof Error ? error.message : String(error)}${stderr})`);
  }
}

function transportFor(spec: McpServerSpec, stderrTail: { text: string }): Transport {
  if (spec.transport === 'stdio') {
    const transport = new StdioClientTransport({
      command: spec.command,
      args: spec.args,
      env: { ...getDefaultEnvironment(), ...spec.env },
      cwd: spec.cwd,
      stderr: 'pipe',
    });
    // Drain the server's stderr (a full pipe would block it) and keep its tail for error messages.
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderrTail.text = (stderrTail.text + chunk.toString('utf8')).slice(-1000);
    });
    return transport;
  }
  return new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers: spec.headers } });
}
