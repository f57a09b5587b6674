import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeRun, resolveRecipe, RunCatalog, type AgentRouter, type Tool } from '@tirl/core';
import type { Script } from '@tirl/core/testing';
import { chatModelTool, handBack, matpoMethod, matpoReward, matpoRouter, orchestratorRouter } from '../src';
import { callText, create, echoTool, scriptedRollout } from './helpers';

describe('hand-back', () => {
  const o = { stripThink: true, stripToolBlocks: true, maxChars: 20 };
  it('drops reasoning and tool blocks, then truncates', () => {
    expect(handBack('<think>a</think>Answer: 42<tool_call>{"x":1}</tool_call>', o)).toBe('Answer: 42');
    expect(handBack('plan <think>unclosed', o)).toBe('plan');
    expect(handBack('x'.repeat(30), o)).toBe('x'.repeat(20));
    expect(handBack('<think>a</think>kept', { ...o, stripThink: false })).toBe('<think>a</think>kept');
  });
});

describe('router/matpo', () => {
  it('returns the results of several calls in one turn in call order', async () => {
    // One planner turn delegates twice; the first worker is slower (it takes two turns), yet its result comes first.
    const first = callText('delegate', { subtask: 'alpha' });
    const second = callText('delegate', { subtask: 'beta' });
    const script: Script = ({ text, rowTurn }) => {
      if (text.includes('Your subtask:\nalpha')) return rowTurn === 0 ? callText('search', { query: 'a' }) : 'ALPHA-RESULT';
      if (text.includes('Your subtask:\nbeta')) return 'BETA-RESULT';
      return rowTurn === 0 ? first + second : '\\boxed{x}';
    };
    const router = create<AgentRouter>(matpoRouter, { workerTools: ['search'] });
    const formatNoStop = create<import('@tirl/core').ToolFormat>(
      (require('@tirl/rollout-tree' as string) as { hermesFormat: import('@tirl/core').AnyPluginDefinition }).hermesFormat,
      { stopAfterCall: false },
    );
    const { output } = await scriptedRollout(script, { router, rollouts: 1, tools: [echoTool()], toolFormat: formatNoStop });
    const root = output.trees[0].trajectories[0];
    const obs = root.segments.find((s) => s.source === 'tool')!.text!;
    expect(obs.indexOf('ALPHA-RESULT')).toBeGreaterThan(-1);
    expect(obs.indexOf('ALPHA-RESULT')).toBeLessThan(obs.indexOf('BETA-RESULT'));
    expect(root.toolCalls.map((c) => c.childId)).toEqual([`${root.id}.c0`, `${root.id}.c1`]);
  });

  it('gives workers no agent tool at depth 1 and a nested one with maxDepth 2', () => {
    const flat = create<AgentRouter>(matpoRouter);
    expect(flat.agentTools('planner').map((t) => t.name)).toEqual(['delegate']);
    expect(flat.agentTools('worker')).toEqual([]);
    const deep = create<AgentRouter>(matpoRouter, { maxDepth: 2 });
    expect(deep.roles().map((r) => r.name)).toEqual(['planner', 'worker', 'worker-2']);
    expect(deep.agentTools('worker').map((t) => t.name)).toEqual(['delegate']);
    expect(deep.agentTools('worker-2')).toEqual([]);
  });

  it('forces a final summary turn on a worker that runs out of turns, and omits the recap when asked', async () => {
    const script: Script = ({ text, rowTurn }) => {
      if (text.includes('Stop calling tools')) return 'SUMMARY: nothing found';
      if (text.includes('You are a worker agent')) return callText('search', { query: `q${rowTurn}` });
      return rowTurn === 0 ? callText('delegate', { subtask: 'look' }) : '\\boxed{x}';
    };
    const router = create<AgentRouter>(matpoRouter, { workerTools: ['search'], workerMaxTurns: 2, recapQuery: false });
    const { output } = await scriptedRollout(script, { router, rollouts: 1, tools: [echoTool()] });
    const [root, worker] = output.trees[0].trajectories;
    expect(worker.segments[0].text).not.toContain('capital of France');
    expect(worker.segments.filter((s) => s.source === 'policy').at(-1)!.text).toBe('SUMMARY: nothing found');
    expect(root.segments.find((s) => s.source === 'tool')!.text).toContain('SUMMARY: nothing found');
  });
});

describe('reward/matpo options', () => {
  it('applies the empty-worker convention and the format gate', async () => {
    const root = { id: 'r', sampleId: 'q', groupId: 'q', rootId: 'r', role: 'planner', segments: [], meta: { answer: '\\boxed{no}' },
      toolCalls: [{ turn: 0, name: 'x', args: {}, ok: false, error: 'parse', observation: '' }, { turn: 0, name: 'y', args: {}, ok: true, observation: '' }] };
    const samples = new Map([['q', { id: 'q', messages: [], answer: 'yes' }]]);
    const score = async (o: Record<string, unknown>) => (await create<import('@tirl/core').RewardFunction>(matpoReward, o).score({ trajectories: [root], samples, step: 0 })).scores[0];
    // acc 0, fmt_p = 1/2: drop → 0.1·0.5 = 0.05; zero → 0.1·(0.25 + 0) = 0.025; one → 0.1·(0.25 + 0.5) = 0.075; gate → 0
    expect(await score({})).toBeCloseTo(0.05, 10);
    expect(await score({ emptyWorkers: 'zero' })).toBeCloseTo(0.025, 10);
    expect(await score({ emptyWorkers: 'one' })).toBeCloseTo(0.075, 10);
    expect(await score({ gateFormat: true })).toBe(0);
  });
});

describe('router/orchestrator with a model behind a local OpenAI-compatible server', () => {
  let server: Server;
  let baseUrl = '';
  const bodies: unknown[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        bodies.push({ url: req.url, method: req.method, body: JSON.parse(data) });
        const prompt = (JSON.parse(data) as { messages: { content: string }[] }).messages[0].content;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: `big says: ${prompt.toUpperCase()}` } }], usage: { total_tokens: 250 } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('routes a call to the model, records its cost, and records mode costs', async () => {
    const router = create<AgentRouter>(orchestratorRouter, {
      models: [{ name: 'big', baseUrl, model: 'big-model', costPerCall: 0.5, costPer1kTokens: 2 }],
      modes: [{ name: 'instant', instruction: 'Answer now.', cost: 0.01 }],
    });
    const script: Script = ({ rowTurn }) =>
      rowTurn === 0 ? callText('big', { prompt: 'hello' }) : rowTurn === 1 ? callText('answer_mode', { mode: 'instant' }) : 'done';
    const { output } = await scriptedRollout(script, { router, rollouts: 1 });
    const root = output.trees[0].trajectories[0];
    expect(bodies[0]).toMatchObject({ url: '/v1/chat/completions', method: 'POST', body: { model: 'big-model', messages: [{ role: 'user', content: 'hello' }] } });
    // cost = 0.5 per call + 2 per 1k tokens · 250 tokens = 0.5 + 0.5 = 1.0
    expect(root.toolCalls.map((c) => [c.name, c.ok, c.cost])).toEqual([['big', true, 1.0], ['answer_mode', true, 0.01]]);
    expect(root.segments.find((s) => s.source === 'tool')!.text).toContain('big says: HELLO');
  });

  it('turns an unreachable endpoint into an error observation', async () => {
    const tool = create<Tool>(chatModelTool, { name: 'gone', baseUrl: 'http://127.0.0.1:1', model: 'm', costPerCall: 0.2 });
    const r = await tool.call({ prompt: 'hi' }, { trajectoryId: 't', rootId: 't', turn: 0, timeoutMs: 1000 });
    expect(r).toMatchObject({ ok: false, error: 'unavailable', cost: 0.2 });
  });
});

describe('matpo recipe', () => {
  it('resolves to the MATPO plugins: router, root GRPO with broadcast, PPO clip 0.2, root-normalised, no KL', () => {
    const r = resolveRecipe(matpoMethod, undefined, { recipes: [matpoMethod] });
    const ids = r.plugins.map((p) => p.id);
    expect([...ids].sort()).toEqual([
      'sampler/epoch-shuffle', 'rollout/linear', 'toolFormat/hermes', 'router/matpo', 'reward/matpo',
      'advantage/matpo', 'objective/ppo-clip', 'aggregation/root-normalised',
    ].sort());
    expect(ids.some((id) => id.startsWith('regularizer/'))).toBe(false);
    expect(r.plugins.find((p) => p.id === 'objective/ppo-clip')!.options).toEqual({ epsLow: 0.2, epsHigh: 0.2 });
    expect(r.plugins.find((p) => p.id === 'advantage/matpo')!.options).toMatchObject({ broadcast: 'scalar' });
  });
});

describe('matpo method switch compat', () => {
  it('released-code swaps in the released training code choices, each traced to the switch', () => {
    const paper = composeRun({ method: matpoMethod }, { catalog: new RunCatalog() });
    expect(paper.switches).toEqual({ compat: 'paper' });
    const code = composeRun({ method: matpoMethod, switches: { compat: 'released-code' } }, { catalog: new RunCatalog() });
    const options = (id: string) => code.plugins.find((p) => p.id === id)?.options;
    expect(code.plugins.some((p) => p.id === 'aggregation/root-normalised')).toBe(false);
    expect(options('aggregation/token-mean')).toEqual({});
    expect(options('advantage/matpo')).toMatchObject({ broadcast: 'parent-row' });
    expect(options('reward/matpo')).toEqual({ emptyWorkers: 'zero' });
    expect(options('objective/ppo-clip')).toEqual({ epsLow: 0.2, epsHigh: 0.2, dualClipC: 3 });
    expect(code.sources['advantage/matpo.broadcast']).toBe('method:matpo[compat=released-code]');
    expect(options('advantage/matpo')).toMatchObject({ singleton: 'raw' });
    expect(options('rollout/linear')).toEqual({ maxSpawnDepth: 1, subAgentResults: 'after-tools' });
    const paperOptions = (id: string) => paper.plugins.find((p) => p.id === id)?.options;
    expect(paperOptions('advantage/matpo')).toMatchObject({ broadcast: 'scalar', singleton: 'zero' });
    expect(paperOptions('rollout/linear')).toEqual({ maxSpawnDepth: 1 });
    // Both: several calls per planner turn, each result a message of the chat template.
    for (const run of [paper, code]) expect(run.plugins.find((p) => p.id === 'toolFormat/hermes')?.options).toEqual({ stopAfterCall: false, observations: 'messages', observationRole: 'tool' });
  });
});
