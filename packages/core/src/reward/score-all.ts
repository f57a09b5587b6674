import type { Trajectory } from '../data/trajectory';
import type { RewardInput } from '../kinds';
import { COMPONENTS_ARE_REWARDS, type NamedReward, type RewardOutputWithFailures } from './types';

export interface ScoreAllOptions {
  /** Score used in `total` for a reward that failed on a trajectory (default 0). */
  failureScore?: number;
  /** Write `reward`, `rewardComponents` and `rewardFailures` onto the trajectories (default true). */
  record?: boolean;
}

export interface ScoreAllResult {
  /** Weighted sum over rewards per trajectory, failures counted as `failureScore`. */
  total: number[];
  /** Every score and sub-score per trajectory, by metric key (`reward/<name>`, `reward/<name>/<component>`). */
  components: Record<string, number[]>;
  /** Per trajectory: the rewards that failed on it, by metric key, with the error. */
  failures: (Record<string, string> | undefined)[];
  /** Batch means of every component and failure counts: `reward/<name>/mean`, `reward/<name>/failures`. */
  metrics: Record<string, number>;
}

/**
 * The one reward scorer: the trainer scores a batch with it, and combining rewards (gate, product,
 * weighted sum) scores their components with it. Runs every reward on the batch. A reward that throws, rejects, returns the wrong number of scores or a
 * non-finite score is recorded as a failure for the trajectories it did not score, never thrown.
 */
export async function scoreAll(rewards: readonly NamedReward[], input: RewardInput, options: ScoreAllOptions = {}): Promise<ScoreAllResult> {
  const n = input.trajectories.length;
  const failureScore = options.failureScore ?? 0;
  const total = new Array<number>(n).fill(0);
  const components: Record<string, number[]> = {};
  const failures: (Record<string, string> | undefined)[] = new Array(n).fill(undefined);
  const metrics: Record<string, number> = {};
  const fail = (i: number, key: string, message: string) => {
    failures[i] = { ...(failures[i] ?? {}), [key]: message };
  };

  for (const { name, reward, weight = 1 } of rewards) {
    const key = `reward/${name}`;
    const { scores, errors, sub } = await runOne(reward, input, n);
    components[key] = scores;
    let failed = 0;
    scores.forEach((s, i) => {
      if (Number.isFinite(s)) total[i] += weight * s;
      else {
        failed++;
        fail(i, key, errors[i] ?? `score is ${s}`);
        total[i] += weight * failureScore;
      }
    });
    const flat = (reward as unknown as Record<string, unknown>)[COMPONENTS_ARE_REWARDS] === true;
    for (const [k, values] of Object.entries(sub.components)) {
      const subKey = flat ? `reward/${k}` : `${key}/${k}`;
      components[subKey] = values;
    }
    for (const [k, list] of Object.entries(sub.failures)) {
      list.forEach((msg, i) => msg !== undefined && fail(i, flat ? `reward/${k}` : `${key}/${k}`, msg));
    }
    metrics[`${key}/failures`] = failed;
  }
  for (const [k, values] of Object.entries(components)) metrics[`${k}/mean`] = finiteMean(values);

  if (options.record ?? true) record(input.trajectories, total, components, failures);
  return { total, components, failures, metrics };
}

interface OneResult {
  scores: number[];
  errors: (string | undefined)[];
  sub: { components: Record<string, number[]>; failures: Record<string, (string | undefined)[]> };
}

async function runOne(reward: NamedReward['reward'], input: RewardInput, n: number): Promise<OneResult> {
  let out: RewardOutputWithFailures & { componentFailures?: Record<string, (string | undefined)[]> };
  try {
    out = await reward.score(input);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { scores: new Array(n).fill(NaN), errors: new Array(n).fill(message), sub: { components: {}, failures: {} } };
  }
  if (!out || !Array.isArray(out.scores) || out.scores.length !== n) {
    const message = `returned ${Array.isArray(out?.scores) ? out.scores.length : 'no'} scores for ${n} trajectories`;
    return { scores: new Array(n).fill(NaN), errors: new Array(n).fill(message), sub: { components: {}, failures: {} } };
  }
  const scores = out.scores.map((s) => (typeof s === 'number' ? s : NaN));
  const errors = out.failures ?? new Array(n).fill(undefined);
  return { scores, errors, sub: { components: out.components ?? {}, failures: out.componentFailures ?? {} } };
}

function record(
  trajectories: readonly Trajectory[],
  total: number[],
  components: Record<string, number[]>,
  failures: (Record<string, string> | undefined)[],
): void {
  trajectories.forEach((t, i) => {
    t.reward = total[i];
    t.rewardComponents = { ...(t.rewardComponents ?? {}) };
    for (const [k, values] of Object.entries(components)) t.rewardComponents[k] = values[i];
    if (failures[i]) t.rewardFailures = { ...(t.rewardFailures ?? {}), ...failures[i] };
  });
}

function finiteMean(values: readonly number[]): number {
  const ok = values.filter(Number.isFinite);
  return ok.length === 0 ? NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
}
