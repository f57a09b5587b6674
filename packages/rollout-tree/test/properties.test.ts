import { buildBatch, Rng, type Tool, type Trajectory } from '@tirl/core';
import { ScriptedPolicy, type ScriptReply } from '@tirl/core/testing';
import fc from 'fast-check';
import { HermesFormat, linearRollout } from '../src';
import { call, echoTool, engineDefaults, limits, sample } from './helpers';

/** What a row emits at a turn: raw bytes (may be invalid UTF-8), a call (good, broken, unknown, to a hanging tool) or an answer. */
const action = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => ({ kind: 'bytes' as const, bytes: Array.from(b) })),
  fc.constantFrom('call', 'hang', 'crash', 'broken', 'unknown', 'answer').map((kind) => ({ kind })),
);

function reply(a: { kind: string; bytes?: number[] }): string | ScriptReply {
  switch (a.kind) {
    case 'bytes':
      return { tokens: a.bytes!, eos: false };
    case 'call':
      return `ok ${call('search', { query: 'q' })}`;
    case 'hang':
      return call('hang', { query: 'q' });
    case 'crash':
      return call('crash', { query: 'q' });
    case 'broken':
      return '<tool_call>{"name": </tool_call>';
    case 'unknown':
      return call('nope', {});
    default:
      return 'the answer';
  }
}

const tools: Tool[] = [
  echoTool('search'),
  echoTool('hang', () => new Promise(() => undefined)),
  echoTool('crash', () => {
    throw new Error('crashed');
  }),
];

const tokenCount = (t: Trajectory) => t.segments.reduce((n, s) => n + s.tokenIds.length, 0);

describe('engine invariants over random scripted runs', () => {
  const seen = new Set<string>();
  afterAll(() => {
    // The random runs reached every outcome the properties are about.
    expect([...seen].sort()).toEqual(expect.arrayContaining(['ok', 'timeout', 'crash', 'parse', 'unknown-tool', 'budget', 'finish:stop', 'finish:max_tokens', 'finish:max_turns']));
  });

  it('masks exactly the generated tokens, never re-tokenises, respects limits and survives hanging tools', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(action, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        fc.record({
          maxTurns: fc.integer({ min: 1, max: 6 }),
          maxTotalTokens: fc.integer({ min: 40, max: 600 }),
          maxToolCalls: fc.integer({ min: 0, max: 5 }),
          maxContext: fc.integer({ min: 1100, max: 1700 }),
          maxNewTokens: fc.integer({ min: 8, max: 160 }),
          concurrency: fc.integer({ min: 1, max: 3 }),
        }),
        async (plans, lim) => {
          const policy = new ScriptedPolicy({
            script: ({ callIndex, rowTurn }) => reply(plans[callIndex % plans.length][rowTurn % plans[callIndex % plans.length].length]),
            maxContext: lim.maxContext,
            logProb: 'seeded',
          });
          const strategy = linearRollout.create({ ...engineDefaults, countSharedOnce: true }, {} as never);
          const out = await strategy.rollout({
            samples: [{ sample: sample(), rollouts: plans.length }],
            policy,
            tools,
            toolFormat: new HermesFormat({ stopAfterCall: true, observationPrefix: '\n', observationSuffix: '\n' }),
            decode: { maxNewTokens: lim.maxNewTokens },
            limits: limits({ ...lim, toolTimeoutMs: 5 }),
            rng: new Rng(7),
            step: 0,
          });
          const trajs = out.trees[0].trajectories;
          expect(trajs).toHaveLength(plans.length);
          const batch = buildBatch(trajs);
          const T = batch.ids.shape[1];
          const used = new Set<object>();
          trajs.forEach((t, b) => {
            // Loss mask = exactly the policy tokens (shared prefixes here are prompt tokens).
            const expected = t.segments.flatMap((s) => s.tokenIds.map(() => (s.source === 'policy' ? 1 : 0)));
            expect(Array.from(batch.lossMaskValues.subarray(b * T, b * T + expected.length))).toEqual(expected);
            // Token-in, token-out: every policy segment is byte for byte what the policy emitted from that context.
            let offset = 0;
            const ids = t.segments.flatMap((s) => s.tokenIds);
            for (const seg of t.segments) {
              if (seg.source === 'policy') {
                const context = ids.slice(0, offset).join(',');
                const emitted = policy.emissions.find(
                  (e) => !used.has(e) && e.context.join(',') === context && e.tokenIds.join(',') === seg.tokenIds.join(','),
                );
                expect(emitted).toBeDefined();
                expect(emitted!.logProbs).toEqual(seg.logProbs);
                used.add(emitted!);
              }
              offset += seg.tokenIds.length;
            }
            // Limits.
            expect(t.segments.filter((s) => s.source === 'policy').length).toBeLessThanOrEqual(lim.maxTurns);
            expect(t.toolCalls.filter((c) => c.error === undefined || c.error === 'timeout' || c.error === 'crash').length).toBeLessThanOrEqual(lim.maxToolCalls);
            expect(tokenCount(t) - t.segments[0].tokenIds.length).toBeLessThanOrEqual(lim.maxTotalTokens);
            expect(tokenCount(t)).toBeLessThanOrEqual(Math.max(lim.maxContext, t.segments[0].tokenIds.length));
            for (const c of t.toolCalls.filter((c) => c.name === 'hang' && c.error !== 'budget')) expect(c.error).toBe('timeout');
            expect(t.finishReason).toBeDefined();
          });
          batch.dispose();
          for (const t of trajs) for (const c of t.toolCalls) seen.add(c.error ?? 'ok');
          seen.add(`finish:${trajs[0].finishReason}`);
        },
      ),
      { numRuns: 60, seed: 20261122 },
    );
  });
});
