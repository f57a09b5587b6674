import type { Batch, RolloutTree } from '@tirl/core';

/**
 * The tree each row belongs to, as a key unique within its group: the `RolloutTree` that lists the row's
 * trajectory (when `trees` are given), else the first node of `trajectory.treePath`, else the row itself
 * (a flat rollout is a forest of single-branch trees). Pad rows get no key.
 */
export function treeKeys(batch: Batch, trees?: readonly RolloutTree[]): (string | undefined)[] {
  const treeOf = new Map<string, string>();
  for (const tree of trees ?? []) for (const t of tree.trajectories) treeOf.set(t.id, tree.id);
  return batch.trajectories.map((t, b) => {
    if (!t || batch.rowKinds[b] === 'pad') return undefined;
    const tree = treeOf.get(t.id) ?? (t.treePath?.length ? t.treePath[0] : `row:${t.id}`);
    return `${batch.groupIds[b]}|${tree}`;
  });
}
