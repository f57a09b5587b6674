import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, type RolloutTree, type Trajectory, type TreeNode } from '@tirl/core';
import { z } from 'zod';
import { onMask, shapeOf } from '../math/batch-views';
import { groupNormalize, groupsOf, moments } from '../math/group-stats';
import { groupNormFields } from '../options';

/**
 * PORTool: every token of step s (the span of tree node s in the row) gets
 * `trajWeight·A_traj(row) + forkWeight·A_fork(s)`, on the loss mask.
 * - `A_traj`: GRPO over the rows of the group.
 * - Step reward `R(s) = descendant(s) + toolBonus·[every tool call made in step s succeeded]`, where
 *   `descendant` is the max (any descendant correct) or mean score of the batch rows whose `treePath` passes s.
 * - `A_fork(s) = (R(s) − mean R(siblings))/(std + eps)` over the children of s's parent that occur in the
 *   batch; 0 when the parent has a single such child (never the "singleton ⇒ raw reward" rule).
 * Step spans come from `TreeNode.tokenOffset`: node k of a path covers `[offset_k, offset_{k+1})`.
 */
export const portool = definePlugin({
  kind: 'advantage',
  name: 'portool',
  summary: 'PORTool: fork-relative step advantage among sibling tree branches blended with the trajectory GRPO advantage',
  paper: { title: 'PORTool: Tool-Use LLM Training with Rewarded Tree', arxiv: '2510.26020', section: '3' },
  options: z
    .object({
      ...groupNormFields,
      trajWeight: z.number().default(1),
      forkWeight: z.number().default(1),
      /** Step correctness from descendants: `max` (any descendant correct) or `mean`. */
      descendant: z.enum(['max', 'mean']).default('max'),
      /** Auxiliary step reward for a step whose tool calls all succeeded; must stay below 1 so correctness dominates. */
      toolBonus: z.number().min(0).lt(1).default(0.1),
    })
    .strict(),
  requires: ['trees'],
  create: (options) => ({
    compute({ batch, scores, trees }) {
      const [B, T] = shapeOf(batch);
      const real = (b: number) => batch.rowKinds[b] !== 'pad';
      const traj = groupNormalize(scores, groupsOf(batch), options);

      const rowOf = new Map<string, number>();
      batch.trajectories.forEach((t, b) => t && real(b) && rowOf.set(t.id, b));
      const fork = new Map<string, number>();
      const nodeById = new Map<string, TreeNode>();
      for (const tree of trees ?? []) {
        for (const node of tree.nodes) nodeById.set(node.id, node);
        forkAdvantages(tree, rowOf, scores, options, fork);
      }

      const out = new Float32Array(B * T);
      for (let b = 0; b < B; b++) {
        if (!real(b)) continue;
        const path = (batch.trajectories[b]?.treePath ?? []).map((id) => nodeById.get(id));
        for (let t = 0; t < T; t++) {
          const m = batch.lossMaskValues[b * T + t];
          if (m <= 0) continue;
          const step = stepAt(path, t);
          out[b * T + t] = onMask(options.trajWeight * traj[b] + options.forkWeight * (step ? fork.get(step.id) ?? 0 : 0), m);
        }
      }
      return { advantages: tf.tensor2d(out, [B, T]), metrics: { 'advantage/portool/forked_steps': [...fork.values()].filter((a) => a !== 0).length } };
    },
  }),
});

type ForkOptions = { descendant: 'max' | 'mean'; toolBonus: number; normByStd: boolean; stdKind: 'unbiased' | 'population'; eps: number };

/** Adds `A_fork(s)` of every node of `tree` that has siblings in the batch. */
function forkAdvantages(tree: RolloutTree, rowOf: Map<string, number>, scores: ArrayLike<number>, o: ForkOptions, out: Map<string, number>): void {
  const nodes = new Map(tree.nodes.map((n) => [n.id, n]));
  const leaves = new Map<string, Trajectory[]>();
  for (const t of tree.trajectories) {
    if (!rowOf.has(t.id)) continue;
    for (const id of t.treePath ?? []) leaves.set(id, [...(leaves.get(id) ?? []), t]);
  }
  const reward = new Map<string, number>();
  for (const [id, through] of leaves) {
    const s = through.map((t) => scores[rowOf.get(t.id)!]);
    const descendant = o.descendant === 'max' ? Math.max(...s) : s.reduce((a, x) => a + x, 0) / s.length;
    reward.set(id, descendant + o.toolBonus * (stepToolsOk(through[0], nodes, id) ? 1 : 0));
  }
  const siblings = new Map<string, string[]>();
  for (const id of reward.keys()) {
    const parent = nodes.get(id)?.parentId;
    if (parent === undefined) continue;
    siblings.set(parent, [...(siblings.get(parent) ?? []), id]);
  }
  for (const ids of siblings.values()) {
    if (ids.length < 2) continue;
    const m = moments(ids.map((id) => reward.get(id)!), o.stdKind);
    const scale = o.normByStd ? m.std + o.eps : 1;
    for (const id of ids) out.set(id, scale > 0 ? (reward.get(id)! - m.mean) / scale : 0);
  }
}

/** True when step `nodeId` of `leaf` made at least one tool call and all of them succeeded. */
function stepToolsOk(leaf: Trajectory, nodes: Map<string, TreeNode>, nodeId: string): boolean {
  const path = leaf.treePath ?? [];
  const k = path.indexOf(nodeId);
  const from = nodes.get(nodeId)?.turn ?? 0;
  const next = k + 1 < path.length ? nodes.get(path[k + 1])?.turn : undefined;
  const calls = leaf.toolCalls.filter((c) => c.turn >= from && (next === undefined || c.turn < next));
  return calls.length > 0 && calls.every((c) => c.ok);
}

/** The deepest node of `path` whose token offset is ≤ t (undefined before the first node). */
function stepAt(path: (TreeNode | undefined)[], t: number): TreeNode | undefined {
  let found: TreeNode | undefined;
  for (const node of path) if (node && node.tokenOffset <= t) found = node;
  return found;
}
