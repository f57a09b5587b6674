import type { Tool, ToolResult } from '@tirl/core';
import { linearRollout } from '../src';
import { call, echoTool, engineDefaults, limits, makeInput, sample } from './helpers';

/** A one-argument tool whose call does `act`. */
function tool(name: string, act: () => unknown): Tool {
  return { ...echoTool(name), call: async () => act() as ToolResult };
}

async function rollOnce(tools: Tool[], model: string, over: Parameters<typeof makeInput>[1] = {}, rollouts = 1) {
  const { input, policy } = makeInput(({ rowTurn }) => (rowTurn === 0 ? model : 'done'), { tools, ...over });
  input.samples = [{ sample: sample(), rollouts }];
  const out = await linearRollout.create({ ...engineDefaults, countSharedOnce: true }, {} as never).rollout(input);
  return { trajectories: out.trees[0].trajectories, policy };
}

describe('a tool that throws any value ends neither the rollout nor the batch', () => {
  const hostile: [string, () => unknown][] = [
    ['a null-prototype object', () => { throw Object.create(null); }],
    ['an object whose message getter throws', () => { throw Object.defineProperty({}, 'message', { get() { throw new Error('getter'); } }); }],
    ['an object whose toString throws', () => { throw { toString() { throw new Error('no'); } }; }],
    ['a Proxy that throws on every access', () => { throw new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } }); }],
    ['a symbol', () => { throw Symbol('s'); }],
    ['undefined', () => { throw undefined; }],
    ['a result whose observation getter throws', () => Object.defineProperty({ ok: true }, 'observation', { get() { throw Object.create(null); } })],
    ['a Proxy as the result', () => new Proxy({}, { get() { throw Object.create(null); } })],
  ];
  it.each(hostile)('%s becomes an Error (crash) observation for every rollout', async (_name, act) => {
    const { trajectories } = await rollOnce([tool('search', act)], call('search', { query: 'q' }), {}, 4);
    expect(trajectories).toHaveLength(4);
    for (const t of trajectories) {
      expect(t.finishReason).toBe('stop');
      expect(t.toolCalls[0]).toMatchObject({ name: 'search', ok: false, error: 'crash' });
      expect(t.toolCalls[0].observation).toMatch(/^Error \(crash\): /);
    }
  });

  it('keeps the message of an ordinary Error and of an object with a string message', async () => {
    const a = await rollOnce([tool('search', () => { throw new Error('disk full'); })], call('search', { query: 'q' }));
    expect(a.trajectories[0].toolCalls[0].observation).toBe('Error (crash): search failed: disk full');
    const b = await rollOnce([tool('search', () => { throw { message: 'plain' }; })], call('search', { query: 'q' }));
    expect(b.trajectories[0].toolCalls[0].observation).toBe('Error (crash): search failed: plain');
  });
});

describe('a huge tool result costs the token room, not its length', () => {
  it('encodes a bounded prefix of a 50 MB observation and keeps a bounded record', async () => {
    const huge = 'x'.repeat(50_000_000);
    const { input, policy } = makeInput(({ rowTurn }) => (rowTurn === 0 ? call('search', { query: 'q' }) : 'done'), {
      tools: [tool('search', () => ({ ok: true, observation: huge }))],
      limits: limits({ maxTotalTokens: 500 }),
    });
    const encode = policy.tokenizer.encode.bind(policy.tokenizer);
    let longest = 0;
    policy.tokenizer.encode = (text, opts) => {
      longest = Math.max(longest, text.length);
      return encode(text, opts);
    };
    const out = await linearRollout.create({ ...engineDefaults, countSharedOnce: true }, {} as never).rollout(input);
    const [t] = out.trees[0].trajectories;
    const toolSeg = t.segments.find((s) => s.source === 'tool')!;
    // Room = 500 minus the call's tokens; the byte tokenizer makes one token per character.
    expect(toolSeg.tokenIds.length).toBe(500 - t.segments[1].tokenIds.length);
    expect(toolSeg.text).toBe(`\n<tool_response>\n${'x'.repeat(toolSeg.tokenIds.length - 17)}`);
    expect(t.finishReason).toBe('max_tokens');
    // The first prefix tried is (room + 16) × 4 characters; anything near 50 MB means the whole text was encoded.
    expect(longest).toBeLessThan(10_000);
    expect(t.toolCalls[0].observation.length).toBeLessThan(20_000);
  });
});
