import type { Trajectory } from './trajectory';

/** A point where one prefix branched into several continuations. */
export interface TreeNode {
  id: string;
  parentId?: string;
  /** Token offset in each descendant trajectory at which this node's continuation starts. */
  tokenOffset: number;
  /** Turn at which the branch happened. */
  turn: number;
  /** Why the rollout branched here (e.g. `entropy`, `turn`, `root`). */
  reason?: string;
}

/**
 * The trajectories of one prompt that share prefixes. A linear rollout is a tree whose root has n
 * leaves; every leaf trajectory lists its path of node ids in `treePath`.
 */
export interface RolloutTree {
  id: string;
  sampleId: string;
  nodes: TreeNode[];
  trajectories: Trajectory[];
}

/** Leaves grouped by the node they pass through: the sibling sets fork-relative advantages compare. */
export function leavesByNode(tree: RolloutTree): Map<string, Trajectory[]> {
  const byNode = new Map<string, Trajectory[]>();
  for (const t of tree.trajectories) {
    for (const nodeId of t.treePath ?? []) {
      const list = byNode.get(nodeId) ?? [];
      list.push(t);
      byNode.set(nodeId, list);
    }
  }
  return byNode;
}
