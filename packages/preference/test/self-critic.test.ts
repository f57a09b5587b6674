import * as tf from '@tensorflow/tfjs-core';
import { parseOptions, Rng, type PairSource, type ReferenceSchedule, type RolloutTree, type Sample, type SegmentSource, type Trajectory } from '@tirl/core';
import { ByteTokenizer, expectClose, runPairsKit, runReferenceScheduleKit, testPluginContext } from '@tirl/core/testing';
import { dpoLoss, phaseStartReference, selfCriticPairs, selfCriticPhase } from '../src';
import { lossAndGradients } from './helpers';

function rollout(id: string, sampleId: string, reward: number, answer: number[]): Trajectory {
  const parts: [SegmentSource, number[]][] = [['prompt', sampleId === 'qa' ? [1, 2] : [3, 4]], ['policy', [10, 11]], ['tool', [90, 91]], ['policy', answer]];
  return {
    id,
    sampleId,
    groupId: sampleId,
    rootId: id,
    role: 'agent',
    segments: parts.map(([source, tokenIds]) => ({ source, role: 'agent', tokenIds, ...(source === 'policy' ? { logProbs: tokenIds.map(() => -1) } : {}) })),
    toolCalls: [],
    reward,
  };
}

const tree = (sampleId: string, rollouts: Trajectory[]): RolloutTree => ({ id: `t-${sampleId}`, sampleId, nodes: [], trajectories: rollouts });

/**
 * Three queries, K = 4, 3 and 2 rollouts: `qa` (Tool-Star QA reward, −1…1.1), `math` (0…1) and `tie` (every
 * rollout scores 1, no pair).
 */
function scored(): { trees: RolloutTree[]; samples: Sample[] } {
  return {
    samples: [
      { id: 'qa', messages: [{ role: 'user', content: 'q' }], meta: { source: 'qa' } },
      { id: 'math', messages: [{ role: 'user', content: 'm' }], meta: { source: 'math' } },
      { id: 'tie', messages: [{ role: 'user', content: 't' }], meta: { source: 'math' } },
    ],
    trees: [
      tree('qa', [rollout('qa0', 'qa', 0.5, [20]), rollout('qa1', 'qa', -1, [21]), rollout('qa2', 'qa', 1.1, [22]), rollout('qa3', 'qa', 0.6, [23])]),
      tree('math', [rollout('m0', 'math', 0.1, [30]), rollout('m1', 'math', 1, [31]), rollout('m2', 'math', 0, [32])]),
      tree('tie', [rollout('t0', 'tie', 1, [40]), rollout('t1', 'tie', 1, [41])]),
    ],
  };
}

runPairsKit(selfCriticPairs, {
  ...scored(),
  valid: { policyGradientSteps: 2, preferenceSteps: 1 },
  invalid: [
    { options: { minGap: -1 }, field: 'minGap' },
    { options: { policyGradientSteps: 1.5 }, field: 'policyGradientSteps' },
    { options: { preferenceSteps: 0 }, field: 'preferenceSteps' },
  ],
});
runReferenceScheduleKit(phaseStartReference, { invalid: [{ options: { every: 2 }, field: 'every' }] });

function mine(options: Record<string, unknown> = {}) {
  const source = selfCriticPairs.create(parseOptions(selfCriticPairs.id, selfCriticPairs.options, options), testPluginContext(selfCriticPairs.id)) as PairSource;
  return source.pairs({ ...scored(), step: 0, tokenizer: new ByteTokenizer(), rng: new Rng(0) });
}

describe('pairs/self-critic (Tool-Star self-critic pairs)', () => {
  it('chosen = the max-reward rollout, rejected = the min, per query and source; a query whose rollouts tie gives no pair', () => {
    // qa: rewards [0.5, −1, 1.1, 0.6] → (qa2 1.1 ≻ qa1 −1); math: [0.1, 1, 0] → (m1 1 ≻ m2 0); tie: [1, 1] → none.
    const { pairs, metrics } = mine();
    expect(pairs.map((p) => [p.id, p.meta?.source, p.meta?.chosenReward, p.meta?.rejectedReward])).toEqual([
      ['qa/qa2/qa1', 'qa', 1.1, -1],
      ['math/m1/m2', 'math', 1, 0],
    ]);
    expect(metrics).toEqual({ 'pairs/self-critic/pairs': 2, 'pairs/self-critic/skipped_ties': 1 });
    // Each pair's prompt is its own query's: rewards of the two scales are never compared.
    expect(pairs.map((p) => p.promptIds)).toEqual([[1, 2], [3, 4]]);
  });

  it('a gap below minGap is skipped like a tie (math gap 1 < 1.5; qa gap 2.1 stays)', () => {
    expect(mine({ minGap: 1.5 }).pairs.map((p) => p.id)).toEqual(['qa/qa2/qa1']);
  });

  it('tool-output tokens are in the responses but off their masks', () => {
    // Response = policy [10, 11], tool [90, 91], policy [answer].
    const [p] = mine().pairs;
    expect([p.chosenIds, p.chosenMask, p.rejectedIds, p.rejectedMask]).toEqual([
      [10, 11, 90, 91, 22], [1, 1, 0, 0, 1], [10, 11, 90, 91, 21], [1, 1, 0, 0, 1],
    ]);
  });
});

describe('DPO on self-critic pairs (β = 0.1, sigmoid)', () => {
  // Chosen: log-ratios on the three trained tokens 1 + 0.5 + 0.5 = +2; rejected −0.5 − 0.25 − 0.25 = −1.
  // Logit β·(2 − (−1)) = 0.3; loss −log σ(0.3) = log(1 + e^−0.3) = log(1.7408182) = 0.554355.
  const mask = [[1, 1, 0, 0, 1]];
  const ref = [[-2, -2, -2, -2, -2]];
  const chosen = (tool: number) => ({ logProbs: [[-1, -1.5, tool, tool, -1.5]], refLogProbs: ref, lossMask: mask });
  const rejected = (tool: number) => ({ logProbs: [[-2.5, -2.25, tool, tool, -2.25]], refLogProbs: ref, lossMask: mask });

  it('gives the worked example loss 0.554355', () => {
    expectClose(lossAndGradients(dpoLoss, { beta: 0.1, variant: 'sigmoid' }, chosen(-2), rejected(-2)).losses, [0.554355], 1e-6);
  });

  it('leaves the tool-output tokens out of the log-prob sums: their log-probs change neither the loss nor get a gradient', () => {
    const out = lossAndGradients(dpoLoss, { beta: 0.1 }, chosen(-30), rejected(5));
    expectClose(out.losses, [0.554355], 1e-6);
    expect([out.gradChosen[0][2], out.gradChosen[0][3], out.gradRejected[0][2], out.gradRejected[0][3]]).toEqual([0, 0, 0, 0]);
  });
});

describe('the GRPO / DPO phase schedule', () => {
  it('N GRPO steps then M DPO steps, repeating from step 0', () => {
    const seq = (n: number, m: number, steps: number) => Array.from({ length: steps }, (_, s) => (selfCriticPhase(s, n, m) === 'preference' ? 'D' : 'G')).join('');
    expect(seq(2, 1, 9)).toBe('GGDGGDGGD');
    expect(seq(1, 2, 6)).toBe('GDDGDD');
    expect(seq(0, 1, 4)).toBe('DDDD');
  });

  it('is what the pair source tells the trainer', () => {
    const source = selfCriticPairs.create(parseOptions(selfCriticPairs.id, selfCriticPairs.options, { policyGradientSteps: 3, preferenceSteps: 2 }), testPluginContext(selfCriticPairs.id)) as PairSource;
    expect(Array.from({ length: 7 }, (_, s) => source.phase!(s))).toEqual([
      'policy-gradient', 'policy-gradient', 'policy-gradient', 'preference', 'preference', 'policy-gradient', 'policy-gradient',
    ]);
  });
});

describe('referenceSchedule/phase-start', () => {
  it('the reference becomes the policy at the first step of each preference phase', () => {
    // The policy moves +0.1 every step; preference steps are 2, 3 and 6 (GRPO steps 0, 1, 4, 5 do not call the schedule).
    // Step 2 starts a phase: reference ← 0.2; step 3 continues it; step 6 starts the next: reference ← 0.6.
    const schedule = phaseStartReference.create(parseOptions(phaseStartReference.id, phaseStartReference.options, {}), testPluginContext(phaseStartReference.id)) as ReferenceSchedule;
    const policy = new Map([['w', tf.variable(tf.scalar(0))]]);
    const reference = new Map([['w', tf.variable(tf.scalar(0))]]);
    const seen: number[] = [];
    for (let step = 0; step < 7; step++) {
      if ([2, 3, 6].includes(step)) {
        schedule.beforeStep?.({ step, policy, reference, rng: new Rng(0) });
        seen.push(reference.get('w')!.dataSync()[0]);
      }
      const moved = tf.add(policy.get('w')!, 0.1) as tf.Scalar;
      policy.get('w')!.assign(moved);
      moved.dispose();
    }
    expectClose(seen, [0.2, 0.2, 0.6], 1e-6);
    expect(schedule.state!()).toEqual({ lastStep: 6, phases: 2 });
    tf.dispose([...policy.values(), ...reference.values()]);
  });
});
