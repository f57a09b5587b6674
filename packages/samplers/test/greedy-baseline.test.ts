import type { GroupFilter } from '@tirl/core';
import { greedyBaselineFilter } from '../src';
import { create, traj } from './helpers';

describe('filter/greedy-baseline (ReMax)', () => {
  it("drops the greedy rollout and gives its reward to each sibling as the baseline; a group without one passes", () => {
    // Group a: sampled rewards 1.3 and 0.2, greedy 0.5 → both siblings get baselineReward 0.5
    // (advantage/remax then gives A = 1.3 − 0.5 = 0.8 and 0.2 − 0.5 = −0.3). Group b has no greedy rollout.
    const a = [traj('a0', 'a', 1.3), traj('a1', 'a', 0.2), traj('a/greedy', 'a', 0.5, { meta: { greedyBaseline: true } })];
    const b = [traj('b0', 'b', 1)];
    const filter = create<GroupFilter>(greedyBaselineFilter);
    const out = filter.filter({ groups: [{ sampleId: 'a', trajectories: a }, { sampleId: 'b', trajectories: b }], step: 0, targetGroups: 2 });
    expect(out.groups.map((g) => g.trajectories.map((t) => [t.id, t.meta?.baselineReward]))).toEqual([
      [
        ['a0', 0.5],
        ['a1', 0.5],
      ],
      [['b0', undefined]],
    ]);
    expect(out.metrics).toEqual({ 'filter/greedy-baseline/baselines': 1 });
    expect(a[0].meta).toBeUndefined();
  });
});
