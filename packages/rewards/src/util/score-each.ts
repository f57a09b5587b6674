import type { RewardInput, Sample, Trajectory } from '@tirl/core';
import type { RewardOutputWithFailures } from '@tirl/core';

/** One trajectory's result: a score, or a score with sub-scores, or a failure. */
export type Scored = number | { score: number; components?: Record<string, number>; failure?: string };

export function sampleFor(input: RewardInput, t: Trajectory): Sample | undefined {
  return input.samples.get(t.sampleId);
}

/**
 * Scores every root trajectory with `fn`; sub-agent trajectories receive their root's result (their own
 * output is not an answer to the sample). A throw inside `fn` becomes a NaN score with the message.
 */
export function scoreRoots(input: RewardInput, fn: (root: Trajectory, sample: Sample | undefined) => Scored): RewardOutputWithFailures {
  const byRoot = new Map<string, Exclude<Scored, number>>();
  for (const t of input.trajectories) {
    if (t.parentId === undefined) byRoot.set(t.id, safely(() => fn(t, sampleFor(input, t))));
  }
  return assemble(input.trajectories.map((t) => byRoot.get(t.rootId) ?? { score: NaN, failure: `root "${t.rootId}" of "${t.id}" is not in the batch` }));
}

/** Scores every trajectory (roots and sub-agents) on its own with `fn`. */
export function scoreEach(input: RewardInput, fn: (t: Trajectory, sample: Sample | undefined, index: number) => Scored): RewardOutputWithFailures {
  return assemble(input.trajectories.map((t, i) => safely(() => fn(t, sampleFor(input, t), i))));
}

export function safely(fn: () => Scored): Exclude<Scored, number> {
  try {
    const r = fn();
    return typeof r === 'number' ? { score: r } : r;
  } catch (e) {
    return { score: NaN, failure: e instanceof Error ? e.message : String(e) };
  }
}

export function assemble(results: readonly Exclude<Scored, number>[]): RewardOutputWithFailures {
  const components: Record<string, number[]> = {};
  results.forEach((r, i) => {
    for (const [k, v] of Object.entries(r.components ?? {})) (components[k] ??= new Array(results.length).fill(NaN))[i] = v;
  });
  const failures = results.map((r) => r.failure ?? (Number.isFinite(r.score) ? undefined : `score is ${r.score}`));
  return {
    scores: results.map((r) => r.score),
    ...(Object.keys(components).length ? { components } : {}),
    ...(failures.some((f) => f !== undefined) ? { failures } : {}),
  };
}

/** Groups trajectory indices by a key (e.g. `groupId`), in first-seen order. */
export function groupIndices(trajectories: readonly Trajectory[], key: (t: Trajectory) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  trajectories.forEach((t, i) => {
    const k = key(t);
    const list = groups.get(k);
    if (list) list.push(i);
    else groups.set(k, [i]);
  });
  return groups;
}
