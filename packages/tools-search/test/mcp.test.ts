import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseOptions, type Tool } from '@tirl/core';
import { runToolKit, testPluginContext } from '@tirl/core/testing';
import { connectMcpTools, mcpTool, type McpTool } from '../src';
import { toolContext } from './helpers';

const script = join(__dirname, 'fixtures', 'mcp-test-server.js');
const stdio = { transport: 'stdio', command: process.execPath, args: [script] } as const;

runToolKit(mcpTool, {
  valid: { server: stdio, tool: 'add' },
  calls: [{ args: { a: 2, b: 3 }, ok: true, observation: /5/ }],
  invalid: [
    { options: { server: { transport: 'ws', url: 'ws://x' }, tool: 'add' }, field: 'server.transport' },
    { options: { server: { transport: 'http', url: 'nope' }, tool: 'add' }, field: 'server.url' },
    { options: { tool: '' }, field: 'tool' },
    { options: { name: 'has space' }, field: 'name' },
  ],
});

const makeMcp = (options: Record<string, unknown>): McpTool =>
  mcpTool.create(parseOptions(mcpTool.id, mcpTool.options, options), testPluginContext(mcpTool.id)) as McpTool;

describe('connectMcpTools over stdio', () => {
  let tools: Tool[];
  beforeAll(async () => {
    tools = await connectMcpTools({ server: stdio, prefix: 'calc_' });
  });
  afterAll(async () => {
    for (const tool of tools) await tool.dispose?.();
  });
  const byName = (name: string) => tools.find((t) => t.name === name)!;

  it('exposes every server tool with its name, description and input schema', () => {
    expect(tools.map((t) => t.name)).toEqual(['calc_add', 'calc_echo', 'calc_fail', 'calc_slow', 'calc_pid', 'calc_exit']);
    expect(byName('calc_add').description).toBe('Adds two numbers');
    expect(byName('calc_add').parameters).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
  });

  it('calls a tool and returns its text', async () => {
    expect(await byName('calc_add').call({ a: 2, b: 3 }, toolContext())).toMatchObject({ ok: true, observation: '5' });
    expect(await byName('calc_echo').call('{"text":"hi","times":3}', toolContext())).toMatchObject({ ok: true, observation: 'hi hi hi' });
  });

  it('renders non-text content as a placeholder', async () => {
    const result = await byName('calc_pid').call({}, toolContext());
    expect(result.observation).toMatch(/^\d+\n\[image: image\/png, 3 bytes\]$/); // base64 "AAAA" is 3 bytes
  });

  it.each([
    [{ a: 'x', b: 1 }, 'schema', /Input validation error/],
    ['not json', 'schema', /expected a JSON object/],
    [[1, 2], 'schema', /expected a JSON object/],
  ])('turns bad arguments %j into a %s observation', async (args, error, message) => {
    const result = await byName('calc_add').call(args, toolContext());
    expect(result).toMatchObject({ ok: false, error });
    expect(result.observation).toMatch(message);
  });

  it('passes a tool error on as an observation', async () => {
    expect(await byName('calc_fail').call({}, toolContext())).toMatchObject({
      ok: false,
      error: 'tool-error',
      observation: 'calc_fail: something went wrong',
    });
  });

  it('times out a slow call and stays usable', async () => {
    expect(await byName('calc_slow').call({ ms: 2000 }, toolContext({ timeoutMs: 100 }))).toMatchObject({ ok: false, error: 'timeout' });
    expect(await byName('calc_add').call({ a: 1, b: 1 }, toolContext())).toMatchObject({ ok: true, observation: '2' });
  });

  it('cuts long observations', async () => {
    const [echo] = await connectMcpTools({ server: stdio, include: ['echo'], maxObservationChars: 10 });
    const result = await echo.call({ text: 'abcdef', times: 4 }, toolContext());
    expect(result.observation).toBe('abcdef abc… [cut at 10 characters]');
    await echo.dispose?.();
  });

  it('names the server tools when include asks for an unknown one', async () => {
    await expect(connectMcpTools({ server: stdio, include: ['add', 'mul'] })).rejects.toThrow(
      /has no tool "mul"; it has: add, echo, fail, slow, pid, exit/,
    );
  });

  it('rejects a server that cannot start, naming it', async () => {
    await expect(
      connectMcpTools({ server: { transport: 'stdio', command: process.execPath, args: ['-e', 'process.exit(2)'] }, connectTimeoutMs: 5000 }),
    ).rejects.toThrow(/MCP server ".*-e process\.exit\(2\)" could not be reached/);
  });
});

describe('tool/mcp plugin', () => {
  it('connects lazily, loads the schema on ready(), and shares one process per server', async () => {
    const add = makeMcp({ server: stdio, tool: 'add', name: 'plus' });
    const pid = makeMcp({ server: stdio, tool: 'pid' });
    expect(add.parameters).toEqual({ type: 'object' });
    await add.ready();
    expect(add.name).toBe('plus');
    expect(add.description).toBe('Adds two numbers');
    expect(add.parameters).toMatchObject({ required: ['a', 'b'] });
    expect(await add.call({ a: 20, b: 22 }, toolContext())).toMatchObject({ ok: true, observation: '42' });
    const first = (await pid.call({}, toolContext())).observation.split('\n')[0];
    const again = (await makeMcp({ server: stdio, tool: 'pid' }).call({}, toolContext())).observation.split('\n')[0];
    expect(again).toBe(first);
    await add.dispose();
    await pid.dispose();
  });

  it('answers an unknown server tool with an observation that lists the tools', async () => {
    const tool = makeMcp({ server: stdio, tool: 'mul' });
    const result = await tool.call({}, toolContext());
    expect(result).toMatchObject({ ok: false, error: 'unavailable' });
    expect(result.observation).toMatch(/has no tool "mul"; it has: add, echo, fail, slow, pid, exit\. Fix the tool option/);
    await tool.dispose();
  });

  it('reconnects after the server process dies', async () => {
    const exit = makeMcp({ server: stdio, tool: 'exit' });
    const pid = makeMcp({ server: stdio, tool: 'pid' });
    const before = (await pid.call({}, toolContext())).observation.split('\n')[0];
    expect((await exit.call({}, toolContext())).observation).toBe('bye');
    await waitUntil(() => !processAlive(Number(before)), 5_000);
    // Until the client notices the exit, a call may fail as unavailable; then one reconnects.
    let after = await pid.call({}, toolContext());
    for (let tries = 0; !after.ok && tries < 50; tries++) {
      expect(after.error).toMatch(/unavailable|crash/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await pid.call({}, toolContext());
    }
    expect(after.ok).toBe(true);
    expect(after.observation.split('\n')[0]).not.toBe(before);
    await exit.dispose();
    await pid.dispose();
  });

  it('refuses calls after dispose', async () => {
    const tool = makeMcp({ server: stdio, tool: 'add' });
    await tool.dispose();
    expect(await tool.call({ a: 1, b: 2 }, toolContext())).toMatchObject({ ok: false, error: 'unavailable' });
  });
});

describe('streamable HTTP transport', () => {
  let child: ChildProcess;
  let url: string;
  beforeAll(async () => {
    child = spawn(process.execPath, [script, '--http'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
    url = `http://127.0.0.1:${port}/mcp`;
  });
  afterAll(() => {
    child.kill();
  });

  it('lists and calls the server tools', async () => {
    const tools = await connectMcpTools({ server: { transport: 'http', url }, include: ['add', 'echo'] });
    expect(tools.map((t) => t.name)).toEqual(['add', 'echo']);
    expect(await tools[0].call({ a: 1.5, b: 2 }, toolContext())).toMatchObject({ ok: true, observation: '3.5' });
    for (const tool of tools) await tool.dispose?.();
  });

  it('works through the tool/mcp plugin', async () => {
    const echo = makeMcp({ server: { transport: 'http', url }, tool: 'echo' });
    expect(await echo.call({ text: 'ok' }, toolContext())).toMatchObject({ ok: true, observation: 'ok' });
    await echo.dispose();
  });
});

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
