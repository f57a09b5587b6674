import { trajectoryTokens, type PreferencePair, type RolloutTree, type SegmentSource, type Trajectory } from '@tirl/core';

/** The tokens of a trajectory with the source of each. */
export function tokensWithSources(t: Trajectory): { ids: number[]; sources: SegmentSource[] } {
  return { ids: trajectoryTokens(t), sources: t.segments.flatMap((s) => s.tokenIds.map(() => s.source)) };
}

/**
 * The step that starts at `offset`: the policy tokens of the next assistant turn. Non-policy tokens
 * before it (template, observation) join the prompt; the step ends at the first non-policy token after it.
 */
export function stepAt(t: Trajectory, offset: number): { promptIds: number[]; stepIds: number[] } | undefined {
  const { ids, sources } = tokensWithSources(t);
  let i = offset;
  while (i < ids.length && sources[i] !== 'policy') i++;
  let j = i;
  while (j < ids.length && sources[j] === 'policy') j++;
  return j > i ? { promptIds: ids.slice(0, i), stepIds: ids.slice(i, j) } : undefined;
}

/** The whole response after the prompt segments, with 1 on policy tokens (tool observations are 0). */
export function responseOf(t: Trajectory): { promptIds: number[]; ids: number[]; mask: number[] } {
  const { ids, sources } = tokensWithSources(t);
  let start = 0;
  while (start < ids.length && sources[start] === 'prompt') start++;
  return { promptIds: ids.slice(0, start), ids: ids.slice(start), mask: sources.slice(start).map((s) => (s === 'policy' ? 1 : 0)) };
}

export interface Branch {
  /** The next node on the leaves' paths (or the leaf itself when it branches off here). */
  key: string;
  leaves: Trajectory[];
  /** Mean reward of its leaves (a Monte-Carlo value of the step). */
  value: number;
  best: number;
}

/** At every node of a tree, its leaves grouped by the branch they take next. Sub-agent rows are left out. */
export function branchesByNode(tree: RolloutTree): { node: RolloutTree['nodes'][number]; branches: Branch[] }[] {
  const roots = tree.trajectories.filter((t) => t.parentId === undefined);
  return tree.nodes.map((node) => {
    const byKey = new Map<string, Trajectory[]>();
    for (const t of roots) {
      const path = t.treePath ?? [];
      const at = path.indexOf(node.id);
      if (at < 0) continue;
      const key = path[at + 1] ?? `leaf:${t.id}`;
      byKey.set(key, [...(byKey.get(key) ?? []), t]);
    }
    const branches = [...byKey].map(([key, leaves]) => {
      const rewards = leaves.map((l) => l.reward ?? 0);
      return { key, leaves, value: rewards.reduce((a, b) => a + b, 0) / rewards.length, best: Math.max(...rewards) };
    });
    return { node, branches };
  });
}

export function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The pair "`best` preferred over `worst`" of one sample's rollouts, or undefined when it would teach nothing:
 * the two rows start from different prompts, have identical responses, or one has no trained token.
 */
export function bestWorstPair(sampleId: string, best: Trajectory, worst: Trajectory, meta: Record<string, unknown>): PreferencePair | undefined {
  const chosen = responseOf(best);
  const rejected = responseOf(worst);
  if (!sameIds(chosen.promptIds, rejected.promptIds) || sameIds(chosen.ids, rejected.ids)) return undefined;
  if (!chosen.mask.some(Boolean) || !rejected.mask.some(Boolean)) return undefined;
  return {
    id: `${sampleId}/${best.id}/${worst.id}`,
    sampleId,
    promptIds: chosen.promptIds,
    chosenIds: chosen.ids,
    rejectedIds: rejected.ids,
    chosenMask: chosen.mask,
    rejectedMask: rejected.mask,
    meta: { ...meta, chosenReward: best.reward, rejectedReward: worst.reward },
  };
}
