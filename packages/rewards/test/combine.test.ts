import type { RewardFunction } from '@tirl/core';
import { combineRewards, exactMatch, otc, scoreAll, weightedSum } from '../src';
import { buildInput, createReward, type RewardCaseInput } from './helpers';

const input: RewardCaseInput = {
  samples: [{ id: 'q1', messages: [], answer: 'Paris' }],
  trajectories: [
    { id: 'a', text: '<answer>Paris</answer>' },
    { id: 'b', text: '<answer>Rome</answer>' },
  ],
};

const constant = (values: number[]): RewardFunction => ({ score: () => ({ scores: values }) });
const throwing: RewardFunction = {
  score() {
    throw new Error('checker crashed');
  },
};

describe('scoreAll', () => {
  it('sums weighted rewards, logs each under reward/<name>, and records throws and NaN as failures', async () => {
    const batch = buildInput(input);
    const result = await scoreAll(
      [
        { name: 'exact-match', reward: createReward(exactMatch), weight: 2 },
        { name: 'broken', reward: throwing },
        { name: 'nan', reward: constant([0.5, NaN]) },
        { name: 'short', reward: constant([1]) },
      ],
      batch,
      { failureScore: -1 },
    );
    // a: 2·1 + (−1) + 0.5 + (−1) = 0.5 ; b: 2·0 + (−1) + (−1) + (−1) = −3
    expect(result.total).toEqual([0.5, -3]);
    expect(result.components['reward/exact-match']).toEqual([1, 0]);
    expect(result.failures[0]).toEqual({ 'reward/broken': 'checker crashed', 'reward/short': 'returned 1 scores for 2 trajectories' });
    expect(result.failures[1]?.['reward/nan']).toBe('score is NaN');
    expect(batch.trajectories[1].rewardFailures?.['reward/broken']).toBe('checker crashed');
    expect(batch.trajectories[0].reward).toBe(0.5);
    expect(batch.trajectories[0].rewardComponents?.['reward/nan']).toBe(0.5);
    expect(result.metrics['reward/broken/failures']).toBe(2);
    expect(result.metrics['reward/exact-match/mean']).toBe(0.5);
  });

  it('logs the components of a combinator as rewards of their own', async () => {
    const combined = createReward(weightedSum, {
      components: [
        { id: 'reward/exact-match', name: 'acc', weight: 0.5 },
        { id: 'reward/length-penalty', name: 'len', options: { target: 2, max: 6 } },
      ],
    });
    const batch = buildInput(input);
    const result = await scoreAll([{ name: 'weighted-sum', reward: combined }], batch);
    // length 4 policy tokens: −(4−2)/(6−2) = −0.5 ; a: 0.5·1 − 0.5 = 0 ; b: 0.5·0 − 0.5 = −0.5
    expect(result.total).toEqual([0, -0.5]);
    expect(result.components['reward/acc']).toEqual([1, 0]);
    expect(result.components['reward/len']).toEqual([-0.5, -0.5]);
    expect(batch.trajectories[0].rewardComponents?.['reward/acc']).toBe(1);
  });

  it('records a failing component of a combinator under its own key', async () => {
    const combined = combineRewards(
      [
        { name: 'ok', reward: constant([1, 1]) },
        { name: 'bad', reward: throwing },
      ],
      'weighted-sum',
    );
    const result = await scoreAll([{ name: 'mix', reward: combined }], buildInput(input));
    expect(result.total).toEqual([1, 1]);
    expect(result.failures[0]).toEqual({ 'reward/bad': 'checker crashed' });
  });

  it('rejects duplicate component names and unknown component ids with the known list', () => {
    expect(() => combineRewards([{ name: 'x', reward: constant([]) }, { name: 'x', reward: constant([]) }], 'product')).toThrow(/distinct/);
    expect(() => createReward(weightedSum, { components: [{ id: 'reward/nope' }] })).toThrow(/unknown component "reward\/nope"\. Known: reward\/exact-match/);
  });

  it('forwards observe, state and loadState to its components (OTC inside a product)', async () => {
    const make = () => combineRewards([{ name: 'otc', reward: createReward(otc) }], 'product');
    const first = make();
    const step1 = buildInput({ samples: input.samples, trajectories: [{ id: 'a', text: '<answer>Paris</answer>', toolCalls: [{ name: 's' }] }] });
    first.observe?.(step1, (await first.score(step1)).scores);
    expect(first.state?.()).toEqual({ otc: { minCalls: { q1: 1 } } });
    const second = make();
    second.loadState?.(JSON.parse(JSON.stringify(first.state?.())));
    expect(second.state?.()).toEqual({ otc: { minCalls: { q1: 1 } } });
  });
});
