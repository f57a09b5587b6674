import { parseOptions, type RewardFunction, type RewardInput, type Sample, type Trajectory } from '@tirl/core';
import { runRewardKit, testPluginContext } from '@tirl/core/testing';
import { acecode, efficiencyReward, lastCodeBlock } from '../src';


const fence = (code: string) => '```python\n' + code + '\n```';
const traj = (id: string, sampleId: string, text: string): Trajectory => ({
  id,
  sampleId,
  groupId: sampleId,
  rootId: id,
  role: 'agent',
  segments: [{ source: 'policy', role: 'agent', tokenIds: [1], logProbs: [-1], text }],
  toolCalls: [],
});

// Kit case: answers without a code block score notExecutable without starting an interpreter.
runRewardKit(acecode, {
  cases: [
    {
      name: 'no code blocks',
      samples: [{ id: 'tri', messages: [{ role: 'user', content: 'q' }], meta: { tests: 'assert f(1) == 0', reference: 'def f(n):\n    return 0' } }],
      trajectories: [traj('k1', 'tri', 'no code'), traj('k2', 'tri', 'still none')],
    },
  ],
  invalid: [{ options: { runtime: 'cpu' }, field: 'runtime' }, { options: { cap: 0 }, field: 'cap' }],
});

// Reference: one executed line per call of f.
const REFERENCE = 'def f(n):\n    return n * (n - 1) // 2';
const sample: Sample = { id: 'tri', messages: [{ role: 'user', content: 'sum 0..n-1' }], meta: { tests: ['assert f(4) == 6'], reference: REFERENCE } };

let reward: RewardFunction;
const score = async (texts: string[], options: Record<string, unknown> = {}, samples: Sample[] = [sample]) => {
  const r = options === undefined || Object.keys(options).length === 0 ? reward : (acecode.create(parseOptions(acecode.id, acecode.options, options), testPluginContext(acecode.id)) as RewardFunction);
  const input: RewardInput = { trajectories: texts.map((t, i) => traj(`t${i}`, samples[0].id, t)), samples: new Map(samples.map((s) => [s.id, s])), step: 0 };
  try {
    return await r.score(input);
  } finally {
    if (r !== reward) await r.dispose?.();
  }
};

beforeAll(() => {
  reward = acecode.create(parseOptions(acecode.id, acecode.options, {}), testPluginContext(acecode.id)) as RewardFunction;
});
afterAll(() => reward.dispose?.());

describe('reward/acecode (ACECode §3.2)', () => {
  it('formula: E_ref 1.0 s, E_gen 2.0 s → 0.5 + 0.5·0.5 = 0.75; faster than the reference is capped at 1', () => {
    expect(efficiencyReward(1, 2, 1)).toBe(0.75);
    expect(efficiencyReward(2, 1, 1)).toBe(1);
    expect(efficiencyReward(2, 1, 1.5)).toBe(1.25);
  });

  it('reads the last fenced block', () => {
    expect(lastCodeBlock('a ```python\nx = 1\n``` b ```\ny = 2\n```')).toBe('y = 2\n');
    expect(lastCodeBlock('no code')).toBeUndefined();
  });

  it('counts executed solution lines: 2 lines vs the reference 1 → 0.75; 5 recursive calls → 0.6', async () => {
    // a: body of f runs `a = ...` and `return ...` once: E_gen = 2, E_ref = 1 → 0.5 + 0.5·(1/2) = 0.75.
    // b: f(4) recurses f(4), f(3), f(2), f(1), f(0), one line each: E_gen = 5 → 0.5 + 0.5·(1/5) = 0.6.
    // c: the same single line as the reference → ratio 1 → 1.
    const out = await score([
      fence('def f(n):\n    a = n * (n - 1)\n    return a // 2'),
      fence('def f(n):\n    return 0 if n == 0 else n - 1 + f(n - 1)'),
      fence('def f(n):\n    return (n * n - n) // 2'),
    ]);
    expect(out.scores[0]).toBeCloseTo(0.75, 12);
    expect(out.scores[1]).toBeCloseTo(0.6, 12);
    expect(out.scores[2]).toBe(1);
    expect(out.components?.passed).toEqual([1, 1, 1]);
  });

  it('wrong answer → failedTests (0); syntax error or no code → notExecutable (−1)', async () => {
    const out = await score([fence('def f(n):\n    return n'), fence('def f(n) return n'), 'I would write a loop.']);
    expect(out.scores).toEqual([0, -1, -1]);
    expect(out.components?.executable).toEqual([1, 0, 0]);
  });

  it('wall time, median of 3 repeats: a 200k-step loop is slower than the closed form (a generous band)', async () => {
    const out = await score([fence('def f(n):\n    s = 0\n    for i in range(200000):\n        s += 0\n    return n * (n - 1) // 2')], { runtime: 'wall', repeats: 3 });
    // The loop takes milliseconds, the reference microseconds: the ratio is far below 1/2, so R ∈ (0.5, 0.75).
    expect(out.scores[0]).toBeGreaterThan(0.5);
    expect(out.scores[0]).toBeLessThan(0.75);
  });

  it('a solution that rebinds sys.settrace at definition time is still measured', async () => {
    // The harness bound settrace before the solution ran: 2 lines counted as in the first case → 0.75.
    const out = await score([fence('import sys\nsys.settrace = lambda *a: None\ndef f(n):\n    a = n * (n - 1)\n    return a // 2')]);
    expect(out.scores[0]).toBeCloseTo(0.75, 12);
  });

  it('a reference that fails its own tests is a failure naming the sample', async () => {
    const bad: Sample = { ...sample, id: 'bad', meta: { tests: 'assert f(4) == 7', reference: REFERENCE } };
    const out = (await score([fence(REFERENCE)], {}, [bad])) as { scores: number[]; failures?: (string | undefined)[] };
    expect(out.scores[0]).toBeNaN();
    expect(out.failures?.[0]).toMatch(/reference solution of sample "bad" does not pass its tests/);
  });
});
