import { buildBatch, ByteTokenizer, Rng, type RolloutStrategy, type Tool, type Trajectory } from '@tirl/core';
import { runRolloutKit } from '@tirl/core/testing';
import { failedStepRegenerationRollout, stepPrefix, XmlTagsFormat } from '../src';
import { engineDefaults, makeInput, sample } from './helpers';

const format = new XmlTagsFormat({ tags: ['python'], answerTag: 'answer', observationTag: 'result' });

/** A stand-in sandbox: code "ok" prints 1, "quiet" prints nothing, anything else raises. */
const python: Tool = {
  name: 'python',
  description: 'runs python',
  parameters: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'], additionalProperties: false },
  call: async (args) => {
    const code = (args as { code: string }).code;
    if (code === 'ok') return { ok: true, observation: 'stdout:\n1' };
    if (code === 'quiet') return { ok: true, observation: '(no output)' };
    return { ok: false, error: 'exception', observation: 'error:\nNameError' };
  },
};

const defaults = { ...engineDefaults, passRateN: 3, delLastTokens: 4, codeTools: ['python'], emptyOutputFails: true, stopOnFailure: true, dropNoCode: true, maxStepsPerPrompt: 1, flagKey: 'stepLevel' };
const create = (over: Partial<typeof defaults> = {}) => failedStepRegenerationRollout.create({ ...defaults, ...over }, {} as never) as RolloutStrategy;
const policyText = (t: Trajectory) => t.segments.filter((s) => s.source === 'policy').map((s) => s.text).join('');

describe('rollout/failed-step-regeneration (THOR)', () => {
  it('regenerates the failed step of a failed rollout from its cut prefix, as its own group with the prefix masked', async () => {
    // q1 fails at its first code call (and stops there); q2 answers. "Let me compute." is 15 bytes = 15 tokens; the
    // cut is before "<python>" (token 15), less delLastTokens 4 → the prefix "Let me comp" (11 tokens).
    const { input, policy } = makeInput((c) => {
      if (c.text.endsWith('Let me comp')) return ['ute.<python>ok</python>', 'ute.<python>bad</python>', 'ute.<answer>4</answer>'][c.row % 3];
      if (c.text.includes('Q1')) return c.rowTurn === 0 ? 'Let me compute.<python>bad</python>' : 'never reached';
      return '<answer>4</answer>';
    });
    input.samples = [
      { sample: sample('q1', 'Q1'), rollouts: 1 },
      { sample: sample('q2', 'Q2'), rollouts: 1 },
    ];
    input.tools = [python];
    input.toolFormat = format;
    const out = await create().rollout(input);
    const all = out.trees.flatMap((t) => t.trajectories);
    const failed = all.find((t) => t.sampleId === 'q1')!;
    // The trajectory-level rollout ended at its failed execution.
    expect([policyText(failed), failed.finishReason, failed.toolCalls.map((c) => c.ok)]).toEqual(['Let me compute.<python>bad</python>', 'stop', [false]]);

    const steps = all.filter((t) => t.meta?.stepLevel === true);
    const stepId = `q1#step:${failed.id}`;
    expect(out.samples?.map((s) => [s.id, s.messages[0].content, s.meta?.stepOf])).toEqual([[stepId, 'Q1', failed.id]]);
    // Three continuations; the one without a code call is dropped (the released code keeps rows with code only).
    expect(steps.length).toBe(2);
    expect(new Set(steps.map((t) => [t.sampleId, t.groupId].join('|')))).toEqual(new Set([`${stepId}|${stepId}`]));
    const prompt = failed.segments[0];
    for (const t of steps) {
      // The prefix is part of the step sample's prompt: prompt + "Let me comp", the original tokens.
      expect(t.segments[0].source).toBe('prompt');
      expect(t.segments[0].tokenIds).toEqual([...prompt.tokenIds, ...new ByteTokenizer().encode('Let me comp')]);
      expect(t.segments[0].text?.endsWith('Let me comp')).toBe(true);
      // Exactly one generation turn whose call ran, then stopped.
      expect(t.segments.filter((s) => s.source === 'policy')).toHaveLength(1);
      expect(t.toolCalls).toHaveLength(1);
      expect(t.meta?.cutAt).toBe('failed-call');
      expect(t.meta?.prefixTokens).toBe(11);
    }
    expect(steps.map((t) => [policyText(t), t.toolCalls[0].ok]).sort()).toEqual([
      ['ute.<python>bad</python>', false],
      ['ute.<python>ok</python>', true],
    ]);
    // Only the regenerated step trains.
    const batch = buildBatch(steps, { padTokenId: policy.tokenizer.padTokenId });
    const trained = steps.reduce((n, t) => n + t.segments.filter((s) => s.source === 'policy').reduce((m, s) => m + s.tokenIds.length, 0), 0);
    expect(batch.lossMaskValues.reduce((a, b) => a + b, 0)).toBe(trained);
    batch.dispose();
    expect(out.metrics?.['rollout/step_groups']).toBe(1);
    expect(out.metrics?.['rollout/step_rows']).toBe(2);
    expect(out.metrics?.['rollout/step_pass_fraction']).toBe(0.5);
  });

  it('with no failed execution, regenerates one random rollout that has code, cut before its last code call', async () => {
    const { input } = makeInput((c) => {
      if (c.text.endsWith('abcd')) return '<python>ok</python>';
      if (c.text.includes('Q1')) return c.rowTurn === 0 ? 'abcdefgh<python>ok</python>' : '<answer>1</answer>';
      return '<answer>4</answer>';
    });
    input.samples = [
      { sample: sample('q1', 'Q1'), rollouts: 1 },
      { sample: sample('q2', 'Q2'), rollouts: 2 },
    ];
    input.tools = [python];
    input.toolFormat = format;
    const out = await create({ passRateN: 2 }).rollout(input);
    const steps = out.trees.flatMap((t) => t.trajectories).filter((t) => t.meta?.stepLevel === true);
    expect(steps.map((t) => [t.sampleId.startsWith('q1#step:'), t.meta?.cutAt, policyText(t), t.toolCalls[0].ok])).toEqual([
      [true, 'last-call', '<python>ok</python>', true],
      [true, 'last-call', '<python>ok</python>', true],
    ]);
  });

  it('takes at most maxStepsPerPrompt × prompts failed rollouts, chosen with the seeded stream', async () => {
    const script = (c: { rowTurn: number }) => (c.rowTurn === 0 ? 'xxxxxx<python>bad</python>' : '<answer>x</answer>');
    const run = async (seed: number) => {
      const { input } = makeInput(script, { rng: new Rng(seed) });
      input.samples = [{ sample: sample('q1', 'Q1'), rollouts: 4 }];
      input.tools = [python];
      input.toolFormat = format;
      const out = await create({ passRateN: 2, dropNoCode: false }).rollout(input);
      return out.samples!.map((s) => s.meta?.stepOf);
    };
    const first = await run(5);
    expect(first).toHaveLength(1);
    expect(await run(5)).toEqual(first);
  });

  it('an execution that prints nothing fails when emptyOutputFails (the sandbox says "Done" only with output)', async () => {
    const { input } = makeInput((c) => (c.text.endsWith('ab') ? '<python>ok</python>' : c.rowTurn === 0 ? 'abcd<python>quiet</python>' : '<answer>1</answer>'));
    input.tools = [python];
    input.toolFormat = format;
    const strict = await create({ passRateN: 1, delLastTokens: 2 }).rollout(input);
    expect(strict.trees.flatMap((t) => t.trajectories).find((t) => t.meta?.stepLevel)?.meta?.cutAt).toBe('failed-call');
    const lenient = await create({ passRateN: 1, delLastTokens: 2, emptyOutputFails: false }).rollout(input);
    expect(lenient.trees.flatMap((t) => t.trajectories).find((t) => t.meta?.stepLevel)?.meta?.cutAt).toBe('last-call');
  });
});

describe('stepPrefix', () => {
  const tk = new ByteTokenizer();
  const rule = { codeTools: ['python'], emptyOutputFails: true };
  const traj = (turns: string[], calls: { turn: number; ok: boolean }[]): Trajectory => ({
    id: 't',
    sampleId: 'q',
    groupId: 'q',
    rootId: 't',
    role: 'agent',
    segments: [
      { source: 'prompt', role: 'agent', tokenIds: tk.encode('P'), text: 'P' },
      ...turns.flatMap((text, turn) => [
        { source: 'policy' as const, role: 'agent', tokenIds: tk.encode(text), logProbs: tk.encode(text).map(() => -1), text, turn },
        { source: 'tool' as const, role: 'agent', tokenIds: tk.encode('<result>r</result>'), text: '<result>r</result>' },
      ]),
    ],
    toolCalls: calls.map((c) => ({ turn: c.turn, name: 'python', args: { code: 'x' }, ok: c.ok, observation: c.ok ? 'stdout:\n1' : 'error' })),
  });

  it('cuts on token ids before the last failed call: a two-byte character before it stays whole', () => {
    // "é" is two bytes; the call starts at token 2 of turn 1, whose offset is 2 + 5 ("ab<python>x</python>" is
    // 20 tokens, its result 18): 20 + 18 + 2 = 40 tokens kept with delLastTokens 0.
    const t = traj(['ab<python>x</python>', 'é<python>x</python>'], [{ turn: 0, ok: true }, { turn: 1, ok: false }]);
    const p = stepPrefix(t, format, tk, rule, 0);
    expect([p.tokenIds.length, p.cutAt, p.turn]).toEqual([40, 'failed-call', 1]);
    expect(tk.decode(p.tokenIds.slice(38))).toBe('é');
  });

  it('removes delLastTokens more, back into earlier turns (the turn is where the cut lands)', () => {
    const t = traj(['ab<python>x</python>', 'é<python>x</python>'], [{ turn: 0, ok: true }, { turn: 1, ok: false }]);
    // 40 − 25 = 15 tokens: inside turn 0's policy text, "ab" (2) + "<python>" (8) + "x" (1) + "</py" (4).
    const p = stepPrefix(t, format, tk, rule, 25);
    expect([tk.decode(p.tokenIds), p.turn]).toEqual(['ab<python>x</py', 0]);
    // 40 − 100 < 0: nothing is kept, the step restarts at the prompt.
    expect(stepPrefix(t, format, tk, rule, 100)).toEqual({ tokenIds: [], turn: 0, cutAt: 'failed-call' });
  });

  it('without any code call, keeps the response less delLastTokens (the code cuts nothing else)', () => {
    const t = traj(['hello world'], []);
    // 11 + 18 = 29 tokens, less 3: "hello world" (11) + "<result>" (8) + "r" (1) + "</resu" (6).
    const p = stepPrefix(t, format, tk, rule, 3);
    expect([tk.decode(p.tokenIds), p.cutAt]).toEqual(['hello world<result>r</resu', 'end']);
  });
});

runRolloutKit(failedStepRegenerationRollout, {
  exactRollouts: true,
  valid: { passRateN: 2, codeTools: ['echo'] },
  invalid: [
    { options: { passRateN: 0 }, field: 'passRateN' },
    { options: { delLastTokens: -1 }, field: 'delLastTokens' },
    { options: { codeTools: [] }, field: 'codeTools' },
  ],
});
