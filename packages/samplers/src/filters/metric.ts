import type { Trajectory } from '@tirl/core';

/** The value a filter reads: `reward` (the final scalar) or a `rewardComponents` key such as `reward/acc`. */
export function metricOf(t: Trajectory, metric: string): number {
  const v = metric === 'reward' ? t.reward : t.rewardComponents?.[metric];
  return typeof v === 'number' ? v : NaN;
}

/**
 * Marks a trajectory as excluded from the loss: the trainer zeroes its advantages (and, for a root, those of
 * its workers); its loss mask is untouched, so its tokens still count in token-count denominators. It still
 * counts in group statistics.
 */
export function maskTrajectory(t: Trajectory, reason: string): void {
  t.meta = { ...(t.meta ?? {}), masked: true, maskReason: reason };
}
