import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, type RolloutTree, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { trainedRuns } from './runs';

/**
 * Step advantages from Monte-Carlo values on rollout trees, the critic of DAPO-DA in non-parametric
 * form: V(s) at token offset o of a leaf = mean reward of the leaves through the deepest tree node of its
 * path at or before o (all of them share the prefix up to o); a step k (run of trained tokens starting at
 * o_k) gets A_k = V(s_{k+1}) − V(s_k), the last step R − V(s_K). Rows outside any tree (sub-agents) get 0.
 */
export const stepValueAdvantage = definePlugin({
  kind: 'advantage',
  name: 'step-value',
  summary: 'Step advantages V(next state) − V(state) with V the Monte-Carlo success rate below each tree node',
  paper: {
    title: 'Improving Multi-Step Reasoning Abilities of Large Language Models with Direct Advantage Policy Optimization',
    arxiv: '2412.18279',
    section: '§3 (step-level critic: the success rate of completions from a partial solution)',
  },
  requires: ['trees'],
  options: z.object({}).strict(),
  create: () => ({
    compute({ batch, trees }) {
      const byId = new Map<string, { tree: RolloutTree; leaf: Trajectory }>();
      for (const tree of trees ?? []) for (const t of tree.trajectories) if (t.parentId === undefined) byId.set(t.id, { tree, leaf: t });
      const [B, T] = batch.lossMask.shape;
      const mask = batch.lossMask.arraySync() as number[][];
      const out = new Float32Array(B * T);
      let steps = 0;
      batch.trajectories.forEach((t, b) => {
        const found = t ? byId.get(t.id) : undefined;
        if (!found) return;
        const value = (offset: number) => mcValue(found.tree, found.leaf, offset);
        const runs = trainedRuns(mask[b]);
        runs.forEach((run, k) => {
          const next = k + 1 < runs.length ? value(runs[k + 1].start) : found.leaf.reward ?? 0;
          const a = next - value(run.start);
          for (let i = run.start; i < run.end; i++) out[b * T + i] = a;
          steps += 1;
        });
      });
      return { advantages: tf.tensor2d(out, [B, T]), metrics: { 'advantage/step-value/steps': steps } };
    },
  }),
});

function mcValue(tree: RolloutTree, leaf: Trajectory, offset: number): number {
  const nodes = new Map(tree.nodes.map((n) => [n.id, n]));
  const path = (leaf.treePath ?? []).map((id) => nodes.get(id)).filter((n) => n !== undefined && n.tokenOffset <= offset);
  const deepest = path.at(-1);
  if (!deepest) return leaf.reward ?? 0;
  const through = tree.trajectories.filter((t) => t.parentId === undefined && (t.treePath ?? []).includes(deepest.id));
  return through.reduce((s, t) => s + (t.reward ?? 0), 0) / through.length;
}
