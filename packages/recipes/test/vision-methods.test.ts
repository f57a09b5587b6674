import { parseOptions, type RewardFunction, type Trajectory } from '@tirl/core';
import { testPluginContext } from '@tirl/core/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the method's reward plugin, run with the options the method gives it
import { weightedSum } from '@tirl/rewards';
import { codev, vToolRl } from '../src';

/** The vision-language methods' numbers, from the methods notes' worked examples. */
function entry(method: typeof codev, id: string): Record<string, unknown> {
  const found = method.plugins.find((p) => Array.isArray(p) && p[0] === id) as [string, Record<string, unknown>] | undefined;
  if (!found) throw new Error(`${method.name} has no ${id}`);
  return found[1] ?? {};
}

const trajectory = (id: string, answer: string, evidence: (number | 'error')[]): Trajectory => ({
  id,
  sampleId: 'q1',
  groupId: 'q1',
  rootId: id,
  role: 'agent',
  segments: [
    { source: 'prompt', role: 'agent', tokenIds: [1] },
    { source: 'policy', role: 'agent', tokenIds: [2], logProbs: [-1], text: `<answer>${answer}</answer>` },
  ],
  toolCalls: evidence.map((e, turn) =>
    e === 'error' ? { turn, name: 'image', args: {}, ok: false, error: 'bad-box', observation: '' } : { turn, name: 'image', args: {}, ok: true, observation: '', evidence: { containsEvidence: e } },
  ),
});

describe('codev (CodeV TAPO)', () => {
  it('declares the seed title and scores r_acc + λ·mean step reward (worked example: steps [1, 0, 1], λ 0.5, correct → 1.3333)', async () => {
    expect(codev.paper?.title).toBe('CodeV: Code with Images for Faithful Visual Reasoning via Tool-Aware Policy Optimization');
    const reward = weightedSum.create(parseOptions(weightedSum.id, weightedSum.options, entry(codev, 'reward/weighted-sum')), testPluginContext(weightedSum.id)) as RewardFunction;
    const out = await reward.score({
      trajectories: [trajectory('a', '7', [1, 0, 1]), trajectory('b', '3', [1, 'error']), trajectory('c', '7', [])],
      samples: new Map([['q1', { id: 'q1', messages: [], answer: '7' }]]),
      step: 0,
    });
    // 1 + 0.5·(2/3); wrong answer with a good crop and a failed call: 0 + 0.5·((1 − 1)/2) = 0; no tool steps: 1 + 0
    expect(out.scores[0]).toBeCloseTo(1 + 0.5 * (2 / 3), 10);
    expect(out.scores[1]).toBeCloseTo(0, 10);
    expect(out.scores[2]).toBeCloseTo(1, 10);
    expect(codev.scoresCorrectness).toBe(true);
  });
});

describe('v-toolrl (OpenThinkIMG)', () => {
  it('declares the seed title and tool_grpo.py’s advantage constants', () => {
    expect(vToolRl.paper?.title).toBe('OpenThinkIMG: Learning to Think with Images via Visual Tool Reinforcement Learning');
    expect(entry(vToolRl, 'advantage/grpo')).toEqual({ eps: 1e-4, stdKind: 'unbiased' });
    expect(entry(vToolRl, 'regularizer/kl')).toEqual({ coef: 0.04, estimator: 'k3' });
  });
});
