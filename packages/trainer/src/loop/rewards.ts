import { errorMessage, type CreatedPlugin, type RewardFunction, type RewardInput, type Trajectory } from '@tirl/core';

export interface ScoredBatch {
  /** Total reward per trajectory (failed components count as 0). */
  totals: number[];
  /** Mean of every component over the scored trajectories, under `reward/<name>[/<component>]`. */
  metrics: Record<string, number>;
}

/**
 * Runs every reward plugin of the recipe and sums their scores into `trajectory.reward`. A reward that
 * throws or returns a non-finite score is recorded in `trajectory.rewardFailures` with the error and
 * counts as 0 for that trajectory; the step goes on.
 */
export async function scoreTrajectories(rewards: readonly CreatedPlugin[], input: RewardInput): Promise<ScoredBatch> {
  const n = input.trajectories.length;
  const totals = new Array<number>(n).fill(0);
  const metrics: Record<string, number> = {};
  for (const plugin of rewards) {
    const reward = plugin.instance as RewardFunction;
    const key = `reward/${plugin.definition.name}`;
    let scores: number[];
    let components: Record<string, number[]> = {};
    let reasons: readonly (string | undefined)[] = [];
    try {
      const out = await reward.score(input);
      if (!Array.isArray(out?.scores)) throw new Error('returned no scores array');
      if (out.scores.length !== n) throw new Error(`returned ${out.scores.length} scores for ${n} trajectories`);
      scores = out.scores;
      components = out.components ?? {};
      const failures = (out as { failures?: unknown }).failures;
      if (Array.isArray(failures)) reasons = failures;
    } catch (e) {
      input.trajectories.forEach((t) => fail(t, plugin.id, e));
      metrics[`${key}/failures`] = n;
      continue;
    }
    let failures = 0;
    scores.forEach((s, i) => {
      const t = input.trajectories[i] as Trajectory;
      if (!Number.isFinite(s)) {
        failures += 1;
        fail(t, plugin.id, new Error(typeof reasons[i] === 'string' ? reasons[i] : `score is ${s}`));
        return;
      }
      totals[i] += s;
      t.rewardComponents = { ...t.rewardComponents, [key]: s };
    });
    metrics[key] = mean(scores.filter(Number.isFinite));
    metrics[`${key}/failures`] = failures;
    for (const [name, values] of Object.entries(components)) metrics[`${key}/${name}`] = mean(values.filter(Number.isFinite));
    reward.observe?.(input, scores);
  }
  input.trajectories.forEach((t, i) => ((t as Trajectory).reward = totals[i]));
  return { totals, metrics };
}

function fail(t: Trajectory, id: string, e: unknown): void {
  t.rewardFailures = { ...t.rewardFailures, [id]: errorMessage(e) };
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}
