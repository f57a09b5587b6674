import { greedyBaselineRollout } from '../src';
import { engineDefaults, makeInput, sample } from './helpers';

describe('rollout/greedy-baseline', () => {
  it('adds one greedy rollout per prompt (temperature 0, own id, flagged) after the sampled ones', async () => {
    const temperatures: (number | undefined)[] = [];
    const { input } = makeInput((c) => {
      temperatures.push(c.options.temperature);
      return 'Final answer: 4';
    });
    input.samples = [
      { sample: sample('q1'), rollouts: 2 },
      { sample: sample('q2'), rollouts: 2 },
    ];
    input.decode = { maxNewTokens: 50, temperature: 0.7 };
    const plugin = greedyBaselineRollout.create({ ...engineDefaults, countSharedOnce: true, flagKey: 'greedyBaseline' }, {} as never);
    const { trees, metrics } = await plugin.rollout(input);
    const all = trees.flatMap((t) => t.trajectories);
    const greedy = all.filter((t) => t.meta?.greedyBaseline === true);
    expect(all).toHaveLength(6);
    expect(greedy.map((t) => [t.sampleId, t.groupId, t.id === t.rootId, t.id.endsWith('/greedy')])).toEqual([
      ['q1', 'q1', true, true],
      ['q2', 'q2', true, true],
    ]);
    expect(new Set(all.map((t) => t.id)).size).toBe(6);
    // Four sampled generations at the run's temperature, then two greedy ones.
    expect(temperatures).toEqual([0.7, 0.7, 0.7, 0.7, 0, 0]);
    expect(metrics?.['rollout/greedy_baselines']).toBe(2);
  });
});
