import type { Trajectory, TrajectoryGroup } from '@tirl/core';

/** The value a filter reads: `reward` (the final scalar) or a `rewardComponents` key such as `reward/acc`. */
export function metricOf(t: Trajectory, metric: string): number {
  const v = metric === 'reward' ? t.reward : t.rewardComponents?.[metric];
  return typeof v === 'number' ? v : NaN;
}

/**
 * A copy of a trajectory marked as excluded from the loss (the input is not modified): the trainer zeroes
 * its advantages (and, for a root, those of its workers); its loss mask is untouched, so its tokens still
 * count in token-count denominators. It still counts in group statistics.
 */
export function maskTrajectory(t: Trajectory, reason: string): Trajectory {
  return { ...t, meta: { ...(t.meta ?? {}), masked: true, maskReason: reason } };
}

/**
 * `change` applied once per group object: a group seen again (dynamic sampling hands back the batch so far
 * every round) maps to the same output object, so the trainer's de-duplication of kept groups holds.
 */
export function oncePerGroup(change: (g: TrajectoryGroup) => TrajectoryGroup): (g: TrajectoryGroup) => TrajectoryGroup {
  const seen = new WeakMap<TrajectoryGroup, TrajectoryGroup>();
  return (g) => {
    let out = seen.get(g);
    if (!out) seen.set(g, (out = change(g)));
    return out;
  };
}
