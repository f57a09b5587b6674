import { buildBatch, trajectoriesFromJsonl, trajectoriesToJsonl, type AgentRouter, type MemoryManager, type Tool } from '@tirl/core';
import { ScriptedPolicy, replayScript } from '@tirl/core/testing';
import { HermesFormat, linearRollout } from '../src';
import { call, echoTool, engineDefaults, limits, makeInput } from './helpers';

const linear = (over: Partial<typeof engineDefaults> = {}) => linearRollout.create({ ...engineDefaults, countSharedOnce: true, ...over }, {} as never);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alwaysSearch = () => call('search', { query: 'q' });

describe('tool execution', () => {
  it('cuts a hanging tool at its timeout, aborts its signal, and the rollout goes on', async () => {
    let aborted = false;
    const hang = echoTool('search', (_q, signal) => new Promise(() => signal?.addEventListener('abort', () => (aborted = true))));
    const { input } = makeInput(({ rowTurn }) => (rowTurn === 0 ? alwaysSearch() : 'ok'), { tools: [hang], limits: limits({ toolTimeoutMs: 30 }) });
    const [t] = (await linear().rollout(input)).trees[0].trajectories;
    expect(t.toolCalls[0]).toMatchObject({ ok: false, error: 'timeout', observation: 'Error (timeout): search did not finish within 30 ms.' });
    expect(aborted).toBe(true);
    expect(t.finishReason).toBe('stop');
  });

  it('turns a crash or a malformed result into an error observation', async () => {
    const boom: Tool = { ...echoTool('search'), call: async () => { throw new Error('boom'); } };
    const bad: Tool = { ...echoTool('python', undefined, 'code'), call: async () => 'not a result' as never };
    const { input } = makeInput(({ rowTurn }) => [call('search', { query: 'a' }), call('python', { code: 'x' }), 'ok'][rowTurn], { tools: [boom, bad] });
    const [t] = (await linear().rollout(input)).trees[0].trajectories;
    expect(t.toolCalls.map((c) => [c.error, c.observation])).toEqual([
      ['crash', 'Error (crash): search failed: boom'],
      ['crash', 'Error (crash): the tool returned a malformed result (expected { ok, observation })'],
    ]);
  });

  it('keeps cost and evidence from the tool result and records latency', async () => {
    const priced = echoTool('search', () => ({ ok: true, observation: 'r', cost: 0.5, evidence: { iou: 0.7 } }));
    const { input } = makeInput(({ rowTurn }) => (rowTurn === 0 ? alwaysSearch() : 'ok'), { tools: [priced] });
    const [t] = (await linear().rollout(input)).trees[0].trajectories;
    expect(t.toolCalls[0]).toMatchObject({ turn: 0, name: 'search', args: { query: 'q' }, ok: true, cost: 0.5, evidence: { iou: 0.7 } });
    expect(t.toolCalls[0].latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('runs the calls of a whole batch concurrently up to the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = echoTool('search', async () => {
      peak = Math.max(peak, ++inFlight);
      await sleep(40);
      inFlight--;
      return { ok: true, observation: 'r' };
    });
    for (const [concurrency, expected] of [[3, 3], [1, 1]] as const) {
      peak = 0;
      const { input } = makeInput(({ rowTurn }) => (rowTurn === 0 ? alwaysSearch() : 'ok'), { tools: [slow], limits: limits({ concurrency }) });
      await linear().rollout({ ...input, samples: [{ sample: input.samples[0].sample, rollouts: 6 }] });
      expect(peak).toBe(expected);
    }
  });
});

describe('limits', () => {
  it('stops at maxTurns without running the last turn\'s calls', async () => {
    const { input } = makeInput(alwaysSearch, { limits: limits({ maxTurns: 3 }) });
    const [t] = (await linear().rollout(input)).trees[0].trajectories;
    expect(t.finishReason).toBe('max_turns');
    expect(t.segments.filter((s) => s.source === 'policy')).toHaveLength(3);
    expect(t.toolCalls).toHaveLength(2);
  });

  it('refuses calls past maxToolCalls with a budget observation and ends the rollout', async () => {
    const { input } = makeInput(alwaysSearch, { limits: limits({ maxToolCalls: 2, maxTurns: 10 }) });
    const [t] = (await linear().rollout(input)).trees[0].trajectories;
    expect(t.finishReason).toBe('max_tool_calls');
    expect(t.toolCalls.map((c) => c.ok)).toEqual([true, true, false]);
    expect(t.toolCalls[2]).toMatchObject({ error: 'budget', observation: 'Error (budget): the limit of 2 tool calls per rollout is reached; the call was not run.' });
  });

  it('enforces per-tool budgets and shows the BATS budget line in observations', async () => {
    const { input } = makeInput(({ rowTurn }) => [alwaysSearch(), alwaysSearch(), 'ok'][rowTurn], { limits: limits({ toolBudgets: { search: 1 } }) });
    const [t] = (await linear({ budgetLine: true }).rollout(input)).trees[0].trajectories;
    const obs = t.segments.filter((s) => s.source === 'tool').map((s) => s.text);
    expect(obs[0]).toContain('<budget>\nsearch Budget Used: 1, search Budget Remaining: 0\nMake the best use of the available resources.\n</budget>');
    expect(t.toolCalls[1]).toMatchObject({ ok: false, error: 'budget' });
    expect(t.finishReason).toBe('stop');
  });

  it('keeps the tokens after the prompt within maxTotalTokens', async () => {
    const { input } = makeInput(() => 'x'.repeat(30) + call('search', { query: 'q' }), { limits: limits({ maxTotalTokens: 150, maxTurns: 20 }) });
    const [t] = (await linear().rollout(input)).trees[0].trajectories;
    const after = t.segments.slice(1).reduce((n, s) => n + s.tokenIds.length, 0);
    expect(t.finishReason).toBe('max_tokens');
    expect(after).toBeLessThanOrEqual(150);
  });

  it('stops with finishReason "context" at the context limit when there is no memory plugin', async () => {
    const { input, policy } = makeInput(() => 'y'.repeat(40) + call('search', { query: 'q' }), { limits: limits({ maxTurns: 50, maxTotalTokens: 100000 }) }, { maxContext: 900 });
    const [t] = (await linear().rollout(input)).trees[0].trajectories;
    expect(t.finishReason).toBe('context');
    expect(t.segments.reduce((n, s) => n + s.tokenIds.length, 0)).toBeLessThanOrEqual(policy.maxContext);
  });

  it('folds into a new row through the memory plugin and keeps the earlier piece as its own row', async () => {
    const tk = new ScriptedPolicy({ script: () => '' }).tokenizer;
    let folds = 0;
    const memory: MemoryManager = {
      triggerFraction: 0.9,
      onOverflow: async () => {
        if (folds++ > 0) return { kind: 'stop' };
        const text = 'summary so far';
        return { kind: 'fold', context: [{ source: 'injected', role: 'agent', tokenIds: tk.encode(text), text }] };
      },
    };
    const { input } = makeInput(() => 'z'.repeat(20) + call('search', { query: 'q' }), { memory, limits: limits({ maxTurns: 50, maxTotalTokens: 100000 }) }, { maxContext: 900 });
    const trajs = (await linear().rollout(input)).trees[0].trajectories;
    expect(trajs).toHaveLength(2);
    const [leaf, piece] = trajs;
    expect(leaf.segments[0].text).toBe('summary so far');
    expect(leaf.finishReason).toBe('context');
    expect(piece).toMatchObject({ parentId: leaf.id, rootId: leaf.id, finishReason: 'context' });
    expect(piece.segments[0].source).toBe('prompt');
  });
});

describe('sub-rollouts', () => {
  const delegate: Tool = {
    name: 'delegate',
    description: 'ask a worker',
    parameters: { type: 'object', properties: { task: { type: 'string' } }, required: ['task'] },
    call: async (args, ctx) => {
      const r = await ctx.spawn!({ role: 'worker', messages: [{ role: 'user', content: (args as { task: string }).task }], tools: ['search'], maxTurns: 2, finalPrompt: 'Summarise.' });
      return { ok: r.ok, observation: r.text, childId: r.childId };
    },
  };

  it('records children with links, runs siblings concurrently and returns results in call order', async () => {
    const events: string[] = [];
    const slowSearch = echoTool('search', async (q) => {
      events.push(`start ${q}`);
      await sleep(q === 'A' ? 300 : 10);
      events.push(`end ${q}`);
      return { ok: true, observation: q };
    });
    const script = ({ text, rowTurn }: { text: string; rowTurn: number }) => {
      // The byte tokenizer renders a message as <|user|>content<|eos|> (no newline after the role marker).
      const task = /<\|user\|>(task \w)/.exec(text)?.[1];
      if (task) return rowTurn === 0 ? call('search', { query: task.slice(-1) }) : `worker says ${task}`;
      return rowTurn === 0 ? call('delegate', { task: 'task A' }) + call('delegate', { task: 'task B' }) : 'final';
    };
    const { input } = makeInput(script, { tools: [slowSearch, delegate], toolFormat: new HermesFormat({ stopAfterCall: false, observationPrefix: '\n', observationSuffix: '\n' }) });
    const trajs = (await linear().rollout(input)).trees[0].trajectories;
    const [root, ...children] = trajs;
    expect(children.map((c) => [c.id, c.parentId, c.rootId, c.spawnTurn, c.role])).toEqual([
      [`${root.id}.c0`, root.id, root.id, 0, 'worker'],
      [`${root.id}.c1`, root.id, root.id, 0, 'worker'],
    ]);
    expect(root.toolCalls.map((c) => [c.observation, c.childId])).toEqual([
      ['worker says task A', `${root.id}.c0`],
      ['worker says task B', `${root.id}.c1`],
    ]);
    // Concurrent: B's search starts (and ends) while A's is still running, though A was called first.
    expect(events).toEqual(['start A', 'start B', 'end B', 'end A']);
    const batch = buildBatch(trajs);
    expect(batch.rowKinds).toEqual(['root', 'child', 'child']);
    batch.dispose();
  });

  it('forces a final turn with finalPrompt when a child runs out of turns', async () => {
    const script = ({ text }: { text: string }) => (text.includes('Summarise.') ? 'summary' : text.includes('sub') ? call('search', { query: 'q' }) : text.includes('<tool_response>') ? 'final' : call('delegate', { task: 'sub' }));
    const { input } = makeInput(script, { tools: [echoTool(), delegate] });
    const [root, child] = (await linear().rollout(input)).trees[0].trajectories;
    expect(child.finishReason).toBe('max_turns');
    expect(child.segments.some((s) => s.source === 'injected' && s.text!.includes('Summarise.'))).toBe(true);
    expect(root.toolCalls[0]).toMatchObject({ ok: true, observation: 'summary' });
  });

  it('refuses to nest deeper than maxSpawnDepth', async () => {
    const script = ({ text }: { text: string }) => (text.includes('<tool_response>') ? 'final' : call('delegate', { task: 'sub' }));
    const { input } = makeInput(script, { tools: [echoTool(), delegate] });
    const [root] = (await linear({ maxSpawnDepth: 0 }).rollout(input)).trees[0].trajectories;
    expect(root.toolCalls[0].observation).toBe('Error (spawn): sub-rollouts nest at most 0 deep.');
  });

  it('uses the router for root messages and adds its agent tools to the role', async () => {
    const router: AgentRouter = {
      rootRole: 'planner',
      roles: () => [{ name: 'planner', systemPrompt: 'plan', tools: [] }, { name: 'worker', systemPrompt: 'work', tools: ['search'] }],
      rootMessages: (s) => [{ role: 'system', content: 'You plan.' }, ...s.messages],
      agentTools: (role) => (role === 'planner' ? [delegate] : []),
    };
    const script = ({ text }: { text: string }) => (text.includes('Summarise.') ? 'summary' : text.includes('sub') ? 'worker done' : text.includes('<tool_response>') ? 'final' : call('delegate', { task: 'sub' }));
    const { input } = makeInput(script, { router, tools: [echoTool()] });
    const [root, child] = (await linear().rollout(input)).trees[0].trajectories;
    expect(root.role).toBe('planner');
    expect(root.segments[0].text).toMatch(/^<\|system\|>You plan\.\n\n# Tools[\s\S]*"delegate"/);
    expect(root.segments[0].text).not.toContain('"search"');
    expect(child.role).toBe('worker');
  });
});

describe('replay', () => {
  it('replays a saved trajectory file token for token', async () => {
    const { input } = makeInput(({ rowTurn }) => (rowTurn === 0 ? call('search', { query: 'é' }) : 'four'), {}, { logProb: 'seeded' });
    const first = (await linear().rollout(input)).trees[0].trajectories;
    const saved = trajectoriesFromJsonl(trajectoriesToJsonl(first));
    const replay = makeInput(replayScript(saved));
    const again = (await linear().rollout(replay.input)).trees[0].trajectories;
    expect(again[0].segments).toEqual(first[0].segments);
  });
});
