import { definePlugin, type RolloutInput, type RolloutStrategy, type RolloutTree, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { engineOptionsShape } from '../engine/engine';
import { linearRollout } from './linear';

const options = z
  .object({
    ...engineOptionsShape,
    countSharedOnce: z.boolean().default(true),
    /** `trajectory.meta` flag of the greedy rollout (read by `filter/greedy-baseline`). */
    flagKey: z.string().min(1).default('greedyBaseline'),
  })
  .strict();

/**
 * ReMax (Algorithm 1): per prompt, the sampled rollouts of `rollout/linear` and then one greedy rollout
 * (temperature 0, the same stop criteria, limits and tools, so the baseline is not biased by a different
 * decode). The greedy trajectory has its own id (`…/greedy`) and the flag `meta[flagKey] = true`; it is
 * scored like any rollout, and `filter/greedy-baseline` then takes it out of the batch and hands its reward
 * to its siblings as the baseline. The greedy rollouts run after the sampled ones, so a tool that keeps
 * state per trajectory id never sees two live rollouts under one id.
 */
export const greedyBaselineRollout = definePlugin({
  kind: 'rollout',
  name: 'greedy-baseline',
  summary: 'ReMax: n sampled rollouts per prompt plus one greedy rollout (temperature 0) flagged as the baseline, which is scored and not trained',
  paper: {
    title: 'ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models',
    arxiv: '2310.10505',
    section: '4 (Algorithm 1: greedy baseline rollout)',
  },
  options,
  create: (opts, ctx): RolloutStrategy => {
    const { flagKey, ...linearOpts } = opts;
    const linear = linearRollout.create(linearOpts, ctx);
    return {
      async rollout(input: RolloutInput) {
        const sampled = await linear.rollout(input);
        const greedy = await linear.rollout({
          ...input,
          samples: input.samples.map(({ sample }) => ({ sample, rollouts: 1 })),
          decode: { ...input.decode, temperature: 0 },
          rng: input.rng.fork('greedy-baseline'),
        });
        const trees: RolloutTree[] = greedy.trees.map((tree) => ({
          ...tree,
          id: `${tree.id}/greedy`,
          trajectories: tree.trajectories.map((t) => asGreedy(t, flagKey)),
        }));
        return {
          trees: [...sampled.trees, ...trees],
          metrics: { ...(sampled.metrics ?? {}), 'rollout/greedy_baselines': trees.length },
        };
      },
    };
  },
});

function asGreedy(t: Trajectory, flagKey: string): Trajectory {
  const out: Trajectory = { ...t, id: `${t.id}/greedy`, rootId: `${t.rootId}/greedy`, meta: { ...(t.meta ?? {}), [flagKey]: true } };
  if (t.parentId !== undefined) out.parentId = `${t.parentId}/greedy`;
  return out;
}
