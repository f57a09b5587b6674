import { definePlugin, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { scheduleSchema, scheduleValue } from '../util/schedule';
import { metricOf } from './metric';

/**
 * The k rollouts of a group with the most spread-out rewards: the top ⌈k/2⌉ and bottom ⌊k/2⌋ by reward
 * (ties: earlier first), returned in their original order. For scalar GRPO advantages, A is affine in the
 * reward within a group, so this is the same subset as selecting by A.
 */
export function extremeSubset(values: readonly number[], k: number): number[] {
  if (k >= values.length) return values.map((_, i) => i);
  const byValue = values.map((v, i) => i).sort((a, b) => values[b] - values[a] || a - b);
  const top = byValue.slice(0, Math.ceil(k / 2));
  const bottom = byValue.filter((i) => !top.includes(i)).slice(-Math.floor(k / 2));
  return [...top, ...(Math.floor(k / 2) > 0 ? bottom : [])].sort((a, b) => a - b);
}

/** D³S sample level: keep k_t = max(minKeep, ⌈f(step)·n⌉) rollouts per group that maximise reward variance. */
export const d3sSample = definePlugin({
  kind: 'filter',
  name: 'd3s-sample',
  summary: 'D³S sample-level down-sampling: keep the highest-variance subset of each group, a fraction that grows with the step',
  paper: { title: 'Learning More with Less: A Dynamic Dual-Level Down-Sampling Framework for Efficient Policy Optimization', arxiv: '2509.22115', section: 'sample level (selection rule is an implementation proposal)' },
  options: z
    .object({
      /** Fraction of each group kept, from `start` (aggressive) to `end` (1 = none dropped). */
      fraction: scheduleSchema.default({ start: 0.5, end: 1, steps: 100, shape: 'linear' }),
      minKeep: z.number().int().min(2).default(2),
      metric: z.string().min(1).default('reward'),
    })
    .strict(),
  create(options) {
    return {
      filter({ groups, step }) {
        const f = scheduleValue(options.fraction, step);
        let dropped = 0;
        const out = groups.map((g) => {
          const k = Math.max(options.minKeep, Math.ceil(f * g.trajectories.length - 1e-9));
          const keep = extremeSubset(g.trajectories.map((t: Trajectory) => metricOf(t, options.metric)), k);
          dropped += g.trajectories.length - keep.length;
          return { ...g, trajectories: keep.map((i) => g.trajectories[i]) };
        });
        return { groups: out, metrics: { 'filter/d3s-sample/fraction': f, 'filter/d3s-sample/dropped': dropped } };
      },
    };
  },
});
