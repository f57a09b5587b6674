import { scoreAll, type CreatedPlugin, type RewardFunction, type RewardInput } from '@tirl/core';

export interface ScoredBatch {
  /** Total reward per trajectory (failed components count as 0). */
  totals: number[];
  /** Mean of every component over the scored trajectories, under `reward/<name>[/<component>]`, and `reward/<name>/failures`. */
  metrics: Record<string, number>;
}

/**
 * Runs every reward plugin of the run through core's `scoreAll` (the one scorer) and sums their scores
 * into `trajectory.reward`. A reward that throws or returns a non-finite score is recorded in
 * `trajectory.rewardFailures` with the error and counts as 0 for that trajectory; the step goes on. Each
 * reward then sees its own scores (`observe`, e.g. OTC's running minimum of calls).
 */
export async function scoreTrajectories(rewards: readonly CreatedPlugin[], input: RewardInput): Promise<ScoredBatch> {
  const named = rewards.map((p) => ({ name: p.definition.name, reward: p.instance as RewardFunction }));
  const result = await scoreAll(named, input);
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(result.metrics)) {
    // The trainer logs a component's batch mean under its own key (`reward/exact-match`), 0 when nothing scored.
    metrics[key.endsWith('/mean') ? key.slice(0, -'/mean'.length) : key] = Number.isFinite(value) ? value : 0;
  }
  const n = input.trajectories.length;
  for (const { name, reward } of named) {
    // A reward that failed on every trajectory (it threw) observes nothing, as it scored nothing.
    if (result.metrics[`reward/${name}/failures`] < n || n === 0) reward.observe?.(input, result.components[`reward/${name}`]);
  }
  return { totals: result.total, metrics };
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}
