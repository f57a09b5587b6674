import { definePlugin, type Trajectory, type TrajectoryGroup } from '@tirl/core';
import { z } from 'zod';
import { oncePerGroup } from './metric';

/**
 * ReMax's baseline: in each group, the greedy rollout (flagged by `rollout/greedy-baseline`) leaves the
 * batch, and its reward becomes `meta[baselineKey]` of every sampled sibling, where `advantage/remax`
 * reads it (A = r(x, y) − r(x, ȳ)). The greedy rollout is never trained. A group without a greedy rollout
 * passes unchanged (and `advantage/remax` then names what is missing).
 */
export const greedyBaselineFilter = definePlugin({
  kind: 'filter',
  name: 'greedy-baseline',
  summary: "ReMax: the group's greedy rollout leaves the batch; its reward becomes each sampled sibling's baseline",
  paper: {
    title: 'ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models',
    arxiv: '2310.10505',
    section: '4 (Algorithm 1: b(x) = r(x, ȳ), ȳ the greedy response)',
  },
  options: z
    .object({
      flagKey: z.string().min(1).default('greedyBaseline'),
      baselineKey: z.string().min(1).default('baselineReward'),
    })
    .strict(),
  create(o) {
    const isGreedy = (t: Trajectory) => t.meta?.[o.flagKey] === true;
    const apply = oncePerGroup((g: TrajectoryGroup) => {
      const greedy = g.trajectories.find(isGreedy);
      if (!greedy) return g;
      const baseline = greedy.reward ?? 0;
      return {
        ...g,
        trajectories: g.trajectories.filter((t) => !isGreedy(t)).map((t) => ({ ...t, meta: { ...(t.meta ?? {}), [o.baselineKey]: baseline } })),
      };
    });
    return {
      filter({ groups }) {
        const found = groups.filter((g) => g.trajectories.some(isGreedy)).length;
        const out = groups.map(apply).filter((g) => g.trajectories.length > 0);
        return { groups: out, metrics: { 'filter/greedy-baseline/baselines': found } };
      },
    };
  },
});
