import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { parseOptions, type Tool } from '@tirl/core';
import { testPluginContext } from '@tirl/core/testing';
import { connectMcpTools, mcpTool, type McpTool } from '../src';
import { toolContext } from './helpers';

// A real MCP peer nobody here wrote: the reference "everything" server, over stdio and streamable HTTP.
const everything = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const LONG = { duration: 60, steps: 60 };
const CALL_TIMEOUT_MS = 45_000;

const makeMcp = (options: Record<string, unknown>): McpTool =>
  mcpTool.create(parseOptions(mcpTool.id, mcpTool.options, options), testPluginContext(mcpTool.id)) as McpTool;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function startHttp(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [everything, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('listening on port')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the MCP server exited (${code}) before listening: ${text}`)));
  });
  return child;
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Calls until one succeeds; the calls before it may only fail as `unavailable` (the session was lost). */
async function untilOk(tool: Tool, args: unknown, tries = 40) {
  for (let i = 0; ; i++) {
    const r = await tool.call(args, toolContext({ timeoutMs: 10_000 }));
    if (r.ok || i >= tries) return r;
    expect(r.error).toBe('unavailable');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Starts a long call, kills the server 1 s in, and returns the call's result and how long it took. */
async function killDuringCall(tool: Tool, kill: () => Promise<void>) {
  const started = Date.now();
  const call = tool.call(LONG, toolContext({ timeoutMs: CALL_TIMEOUT_MS }));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await kill();
  const result = await call;
  return { result, ms: Date.now() - started };
}

describe('MCP over streamable HTTP against a real server: kill and restart', () => {
  let port: number;
  let server: ChildProcess;
  beforeAll(async () => {
    port = await freePort();
    server = await startHttp(port);
  });
  afterAll(() => killed(server));

  it.each([
    ['the tool/mcp plugin', async (url: string) => [makeMcp({ server: { transport: 'http', url }, tool: 'trigger-long-running-operation' }), makeMcp({ server: { transport: 'http', url }, tool: 'echo' })]],
    ['connectMcpTools', (url: string) => connectMcpTools({ server: { transport: 'http', url }, include: ['trigger-long-running-operation', 'echo'] })],
  ])('through %s: an in-flight call ends as unavailable when the server dies, and calls work again after it restarts', async (_how, make) => {
    const url = `http://127.0.0.1:${port}/mcp`;
    const [long, echo] = await make(url);
    expect(await echo.call({ message: 'before' }, toolContext())).toMatchObject({ ok: true, observation: 'Echo: before' });
    const { result, ms } = await killDuringCall(long, () => killed(server));
    expect(result).toMatchObject({ ok: false, error: 'unavailable' });
    // Well before the call's own 45 s timeout.
    expect(ms).toBeLessThan(15_000);
    expect(await echo.call({ message: 'down' }, toolContext())).toMatchObject({ ok: false, error: 'unavailable' });
    server = await startHttp(port);
    expect(await untilOk(echo, { message: 'after' })).toMatchObject({ ok: true, observation: 'Echo: after' });
    for (const t of [long, echo]) await t.dispose?.();
  }, 120_000);
});

describe('MCP over stdio against a real server: the process is killed', () => {
  const stdio = { transport: 'stdio', command: process.execPath, args: [everything, 'stdio'] } as const;

  /** Server processes this test process started (children running the everything server). */
  function serverPids(): number[] {
    const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter((l) => l.includes(everything) && l.includes('stdio'))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
  }

  it('an in-flight call ends as unavailable and the next call starts a new process', async () => {
    const long = makeMcp({ server: stdio, tool: 'trigger-long-running-operation' });
    const echo = makeMcp({ server: stdio, tool: 'echo' });
    expect(await echo.call({ message: 'one' }, toolContext())).toMatchObject({ ok: true, observation: 'Echo: one' });
    const [pid] = serverPids();
    expect(pid).toBeGreaterThan(0);
    const { result, ms } = await killDuringCall(long, async () => {
      process.kill(pid, 'SIGKILL');
    });
    expect(result).toMatchObject({ ok: false, error: 'unavailable' });
    expect(ms).toBeLessThan(15_000);
    expect(await untilOk(echo, { message: 'two' })).toMatchObject({ ok: true, observation: 'Echo: two' });
    expect(serverPids()).not.toContain(pid);
    await long.dispose();
    await echo.dispose();
  }, 120_000);
});
