import { policyTokenCount, type Trajectory } from '@tirl/core';

/** One kind of trouble in a step: how often it happened and the first case, in words. */
export interface StepProblem {
  /** `reward <plugin id> failed`, `sample skipped`, `trajectory dropped`. */
  what: string;
  count: number;
  /** The first case: which trajectory or sample, and why. */
  example: string;
}

/**
 * What went wrong in a step's rollouts and scoring: rewards that failed (threw, returned a non-finite or
 * a wrong number of scores, or found no answer in the sample), samples none of whose rollouts produced a
 * token (they cannot train, e.g. a prompt longer than the context), and trajectories with no policy token.
 */
export function stepProblems(trajectories: readonly Trajectory[]): StepProblem[] {
  const problems = new Map<string, StepProblem>();
  const add = (what: string, example: string) => {
    const p = problems.get(what);
    if (p) p.count += 1;
    else problems.set(what, { what, count: 1, example });
  };
  for (const t of trajectories) {
    for (const [id, message] of Object.entries(t.rewardFailures ?? {})) add(`reward ${id} failed`, `trajectory "${t.id}" of sample "${t.sampleId}": ${message}`);
  }
  const bySample = new Map<string, Trajectory[]>();
  for (const t of trajectories) if (t.parentId === undefined) bySample.set(t.sampleId, [...(bySample.get(t.sampleId) ?? []), t]);
  const skipped = new Set<string>();
  for (const [sampleId, roots] of bySample) {
    if (roots.every((t) => policyTokenCount(t) === 0)) {
      skipped.add(sampleId);
      add('sample skipped', `sample "${sampleId}": none of its ${roots.length} rollouts generated a token (finish: ${roots[0].finishReason ?? 'unknown'})`);
    }
  }
  for (const t of trajectories) {
    if (skipped.has(t.sampleId) || policyTokenCount(t) > 0) continue;
    add('trajectory dropped', `trajectory "${t.id}" of sample "${t.sampleId}" has no generated token (finish: ${t.finishReason ?? 'unknown'})`);
  }
  return [...problems.values()];
}

/** One line per problem: `step 3: reward reward/x failed for 4 trajectories; first: ...`. */
export function describeProblems(step: number, problems: readonly StepProblem[]): string[] {
  return problems.map((p) => `step ${step}: ${p.what} ×${p.count}; first: ${p.example}`);
}

/** Counts as metrics, so a run's files show them too. */
export function problemMetrics(problems: readonly StepProblem[]): Record<string, number> {
  const sum = (prefix: string) => problems.filter((p) => p.what.startsWith(prefix)).reduce((n, p) => n + p.count, 0);
  return {
    'problems/reward_failures': sum('reward '),
    'problems/skipped_samples': sum('sample skipped'),
    'problems/dropped_trajectories': sum('trajectory dropped'),
  };
}
