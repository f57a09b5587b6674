import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { describeServer, type McpServerSpec } from './server-spec';

/** A tool as the server lists it. */
export interface McpToolInfo {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/**
 * One client session with a server, shared by every tool of that server and counted by reference. When
 * the session is lost (the process exits, the HTTP server dies or forgets the session) it is marked
 * closed, its in-flight calls are aborted at once (`lost` fires) and the next call opens a new session.
 */
export class McpConnection {
  private refs = 0;
  private readonly lostController = new AbortController();
  closed = false;
  /** Why the session was lost, for the observation of the calls it ended. */
  lostReason?: string;

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

  /** Fires when the session is lost or closed: in-flight calls stop waiting for their answers. */
  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  /** The session can no longer serve: mark it closed, end its in-flight calls and drop it from the open sessions. */
  markLost(reason: string): void {
    if (this.closed) return;
    this.lostReason = reason;
    void this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (open.get(this.key) === this.pending) open.delete(this.key);
    this.lostController.abort(new Error(this.lostReason ?? 'the MCP session was closed'));
    await this.client.close().catch(() => undefined);
  }

  /** The entry of this connection in the open sessions (set by `connect`). */
  pending?: Promise<McpConnection>;
}

/**
 * Whether an error means the session itself is gone, not just one call: the server process or socket
 * died (`fetch failed`, a broken event stream), or the HTTP server no longer knows the session id
 * (404, or 400 naming the session, as after a restart).
 */
export function isSessionLoss(error: unknown): boolean {
  if (error instanceof StreamableHTTPError) {
    const code = error.code ?? 0;
    return code === 404 || (code === 400 && /session/i.test(error.message)) || code === -1;
  }
  const text = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error);
  return /SSE stream disconnected|fetch failed|ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|terminated|Connection closed|Maximum reconnection attempts/i.test(text);
}

/** Open sessions keyed by server spec, so one server named twice runs once. Holds connections, not plugins. */
const open = new Map<string, Promise<McpConnection>>();

/** Connects to a server (or joins the open session to it) and lists its tools; the caller owns one reference. */
export async function acquireConnection(spec: McpServerSpec, timeoutMs: number): Promise<McpConnection> {
  const key = JSON.stringify(spec);
  let pending = open.get(key);
  if (!pending) {
    const created = connect(key, spec, timeoutMs);
    open.set(key, created);
    created.then(
      (c) => {
        c.pending = created;
        if (c.closed && open.get(key) === created) open.delete(key);
      },
      () => {
        if (open.get(key) === created) open.delete(key);
      },
    );
    pending = created;
  }
  return (await pending).acquire();
}

async function connect(key: string, spec: McpServerSpec, timeoutMs: number): Promise<McpConnection> {
  const client = new Client({ name: 'tirl', version: '0.1.0' });
  const label = describeServer(spec);
  let connection: McpConnection | undefined;
  const stderrTail = { text: '' };
  client.onclose = () => connection?.markLost(`the MCP server "${label}" closed the session`);
  // The HTTP transport never calls onclose when the server dies: its errors say so instead.
  client.onerror = (error) => {
    if (connection && isSessionLoss(error)) connection.markLost(`the MCP server "${label}" is unreachable (${describeError(error)})`);
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

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
