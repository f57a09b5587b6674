import type { RolloutTree, Trajectory, TreeNode } from '@tirl/core';
import type { Agent, PathNode } from './agent';
import type { RolloutEngine } from './engine';

/**
 * Builds a `RolloutTree` from finished leaf agents, in output order. Each leaf gets `treePath` (the
 * nodes it passes through that at least two kept leaves share, plus root nodes) and, when
 * `countSharedOnce`, `sharedPrefixLength`: the offset of the deepest node it shares with an earlier
 * leaf, so that leaf owns (trains) the shared tokens. Sub-rollouts and fold pieces of the kept leaves
 * follow, each once; a link to a dropped branch is moved to the first kept leaf that carries it.
 */
export function assembleTree(
  engine: RolloutEngine,
  treeId: string,
  sampleId: string,
  leaves: readonly Agent[],
  countSharedOnce: boolean,
  rootReasons: readonly string[] = ['root', 'tree'],
): RolloutTree {
  const passing = new Map<string, number>();
  for (const a of leaves) for (const n of a.path) passing.set(n.id, (passing.get(n.id) ?? 0) + 1);
  const keep = (n: PathNode) => rootReasons.includes(n.reason) || (passing.get(n.id) ?? 0) >= 2;

  const nodes = new Map<string, TreeNode>();
  const trajectories: Trajectory[] = [];
  const leafIds = new Set(leaves.map((a) => a.id));
  const extras: Trajectory[] = [];
  const extraIds = new Set<string>();
  leaves.forEach((a, i) => {
    const t = engine.trajectory(a);
    const path = a.path.filter(keep);
    t.treePath = path.map((n) => n.id);
    for (const n of path) {
      if (nodes.has(n.id)) continue;
      const kept = a.path.slice(0, a.path.indexOf(n)).filter(keep);
      const node: TreeNode = { id: n.id, tokenOffset: n.tokenOffset, turn: n.turn, reason: n.reason };
      if (kept.length) node.parentId = kept[kept.length - 1].id;
      nodes.set(n.id, node);
    }
    if (countSharedOnce && i > 0) t.sharedPrefixLength = sharedWithEarlier(a, leaves.slice(0, i));
    trajectories.push(t);
    for (const x of [...a.pieces, ...a.spawned.flat()]) {
      if (extraIds.has(x.id)) continue;
      extraIds.add(x.id);
      const copy: Trajectory = { ...x, rootId: t.rootId };
      if (copy.parentId !== undefined && !leafIds.has(copy.parentId) && !isExtraParent(copy.parentId, a)) copy.parentId = t.id;
      extras.push(copy);
    }
  });
  return { id: treeId, sampleId, nodes: [...nodes.values()], trajectories: [...trajectories, ...extras] };
}

function isExtraParent(parentId: string, a: Agent): boolean {
  return a.pieces.some((p) => p.id === parentId) || a.spawned.some((list) => list.some((t) => t.id === parentId));
}

function sharedWithEarlier(a: Agent, earlier: readonly Agent[]): number {
  let best = 0;
  for (const b of earlier) {
    let k = 0;
    while (k < a.path.length && k < b.path.length && a.path[k].id === b.path[k].id) k++;
    if (k === 0) continue;
    const node = a.path[k - 1];
    // A fold after the branch point moved the shared tokens into pieces: nothing shared in this row.
    if (node.folds !== a.folds) continue;
    best = Math.max(best, node.tokenOffset);
  }
  return best;
}
