import type { Trajectory } from '@tirl/core';

/**
 * Staleness of the trajectories trained at `step`: k − v for a trajectory of policy version v
 * (`meta.policyVersion`; trajectories without one were made by the live model, staleness 0). Gives the mean,
 * the max and a histogram `async/staleness_hist/<s>` over 0..η.
 */
export function stalenessMetrics(trajectories: readonly Trajectory[], step: number, maxStaleness: number): Record<string, number> {
  const versioned = trajectories.filter((t) => typeof t.meta?.policyVersion === 'number');
  if (!versioned.length) return {};
  const ages = versioned.map((t) => step - (t.meta!.policyVersion as number));
  const out: Record<string, number> = {
    'async/staleness_mean': ages.reduce((a, b) => a + b, 0) / ages.length,
    'async/staleness_max': Math.max(...ages),
  };
  for (let s = 0; s <= maxStaleness; s++) out[`async/staleness_hist/${s}`] = ages.filter((a) => a === s).length;
  return out;
}
