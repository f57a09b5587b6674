import { type RolloutStrategy, type Tool, type Trajectory } from '@tirl/core';
import { runRolloutKit } from '@tirl/core/testing';
import { backtrackOnFailureRollout, XmlTagsFormat } from '../src';
import { engineDefaults, limits, makeInput, sample } from './helpers';

const format = new XmlTagsFormat({ tags: ['python'], answerTag: 'answer', observationTag: 'result' });

/** Code "ok" prints 1; anything else raises. */
const python: Tool = {
  name: 'python',
  description: 'runs python',
  parameters: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'], additionalProperties: false },
  call: async (args) => ((args as { code: string }).code === 'ok' ? { ok: true, observation: 'stdout:\n1' } : { ok: false, error: 'exception', observation: 'error:\nNameError' }),
};

const defaults = { ...engineDefaults, backtrackTokens: 3, selfRetryNum: 4, codeTools: ['python'], emptyOutputFails: true };
const create = (over: Partial<typeof defaults> = {}) => backtrackOnFailureRollout.create({ ...defaults, ...over }, {} as never) as RolloutStrategy;
const text = (t: Trajectory) => t.segments.slice(1).map((s) => s.text).join('');

describe('rollout/backtrack-on-failure (THOR self-correction)', () => {
  it('discards a failed chunk, backs off backtrackTokens tokens and continues; only kept tokens remain', async () => {
    // Turn 0 passes; turn 1 fails and is discarded, with the last 3 tokens before it: the first result block
    // "\n<result>\nstdout:\n1\n</result>\n" loses its last three bytes "t>\n", and generation continues there.
    const { input } = makeInput((c) => {
      if (c.text.endsWith('</resul')) return 't>\nfixed<python>ok</python>';
      if (c.text.endsWith('</result>\n') && c.text.includes('fixed')) return '<answer>4</answer>';
      if (c.text.endsWith('</result>\n')) return 'Now <python>bad</python>';
      return 'Step one.<python>ok</python>';
    });
    input.tools = [python];
    input.toolFormat = format;
    const out = await create().rollout(input);
    const [t] = out.trees.flatMap((x) => x.trajectories);
    expect(text(t)).toBe('Step one.<python>ok</python>\n<result>\nstdout:\n1\n</resul' + 't>\nfixed<python>ok</python>\n<result>\nstdout:\n1\n</result>\n<answer>4</answer>');
    expect(t.toolCalls.map((c) => [c.turn, c.ok])).toEqual([
      [0, true],
      [2, true],
    ]);
    expect(out.metrics?.['rollout/backtracks']).toBe(1);
    // Every policy token carries its log-prob; the failed chunk left nothing behind.
    for (const s of t.segments.filter((x) => x.source === 'policy')) expect(s.logProbs?.length).toBe(s.tokenIds.length);
    expect(text(t)).not.toContain('bad');
  });

  it('after selfRetryNum retries in a row the failed chunk is kept; the counter is per rollout', async () => {
    // Both rollouts always fail. maxTurns 3, selfRetryNum 1: turn 1 fails → retry; turn 2 fails → kept (counter
    // reset); turn 3 is the last turn (its call is not run). One backtrack per rollout: 2 in all (a counter shared
    // across the batch, as in the released script, would let the second rollout's first failure through).
    const { input } = makeInput(() => '<python>bad</python>', { limits: limits({ maxTurns: 3 }) });
    input.samples = [
      { sample: sample('q1'), rollouts: 1 },
      { sample: sample('q2'), rollouts: 1 },
    ];
    input.tools = [python];
    input.toolFormat = format;
    const out = await create({ selfRetryNum: 1, backtrackTokens: 0 }).rollout(input);
    const all = out.trees.flatMap((x) => x.trajectories);
    expect(out.metrics?.['rollout/backtracks']).toBe(2);
    for (const t of all) {
      expect([t.finishReason, t.toolCalls.map((c) => [c.turn, c.ok])]).toEqual(['max_turns', [[1, false]]]);
      expect(t.segments.filter((s) => s.source === 'policy').map((s) => s.turn)).toEqual([1, 2]);
    }
  });

  it('selfRetryNum 0 keeps every failure (plain tool-integrated rollouts)', async () => {
    const { input } = makeInput((c) => (c.rowTurn === 0 ? '<python>bad</python>' : '<answer>4</answer>'));
    input.tools = [python];
    input.toolFormat = format;
    const out = await create({ selfRetryNum: 0 }).rollout(input);
    const [t] = out.trees.flatMap((x) => x.trajectories);
    expect([out.metrics?.['rollout/backtracks'], t.toolCalls.map((c) => c.ok), t.finishReason]).toEqual([0, [false], 'stop']);
  });
});

runRolloutKit(backtrackOnFailureRollout, {
  valid: { codeTools: ['echo'] },
  invalid: [
    { options: { backtrackTokens: -1 }, field: 'backtrackTokens' },
    { options: { selfRetryNum: 1.5 }, field: 'selfRetryNum' },
  ],
});
