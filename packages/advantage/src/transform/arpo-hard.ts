import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, TirlError, type RolloutTree, type TreeNode } from '@tirl/core';
import { z } from 'zod';
import { onMask, readMatrix, rowMeansOnMask, shapeOf } from '../math/batch-views';

/**
 * ARPO's hard advantage attribution: a token shared by several branches of a rollout tree gets the MEAN
 * advantage of all branches (leaves) that share it; branch-specific tokens keep their own branch's
 * advantage. The branches sharing token t of row b are the leaves through the shallowest node of b's
 * `treePath` whose `tokenOffset` lies after t (every leaf through it carries tokens [0, offset)). The
 * incoming advantage of a leaf is its mean over its trained tokens (an outcome estimator's constant). Use
 * with `countSharedOnce` (each shared token trained once, by the earliest leaf); ARPO's soft form is
 * `countSharedOnce: false` on the rollout (every branch trains its copy, so shared tokens are averaged by
 * the summed loss) with no transform.
 */
export const arpoHard = definePlugin({
  kind: 'advantageTransform',
  name: 'arpo-hard',
  summary: 'ARPO hard attribution: shared-prefix tokens get the mean advantage of the branches sharing them',
  paper: { title: 'Agentic Reinforced Policy Optimization', arxiv: '2507.19849', section: '3.3 (advantage attribution estimation, hard setting)' },
  options: z.object({}).strict(),
  requires: ['trees'],
  create: () => ({
    transform({ batch, advantages, trees }) {
      if (!trees) throw new TirlError('advantageTransform/arpo-hard: needs the rollout trees (requires: ["trees"])', 'missing-input');
      const [B, T] = shapeOf(batch);
      const adv = readMatrix(advantages);
      const leafAdv = rowMeansOnMask(batch, adv);
      const nodes = new Map<string, TreeNode>(trees.flatMap((tree: RolloutTree) => tree.nodes.map((n) => [n.id, n] as const)));
      // Rows passing through each node.
      const through = new Map<string, number[]>();
      batch.trajectories.forEach((t, b) => {
        if (!t || batch.rowKinds[b] !== 'root') return;
        for (const id of t.treePath ?? []) through.set(id, [...(through.get(id) ?? []), b]);
      });
      const out = new Float32Array(B * T);
      let shared = 0;
      for (let b = 0; b < B; b++) {
        const t = batch.trajectories[b];
        if (!t || batch.rowKinds[b] === 'pad') continue;
        const path = (t.treePath ?? []).map((id) => nodes.get(id)).filter((n): n is TreeNode => n !== undefined);
        for (let k = 0; k < T; k++) {
          const i = b * T + k;
          if (batch.lossMaskValues[i] <= 0) continue;
          const node = path.find((n) => n.tokenOffset > k);
          const rows = node ? (through.get(node.id) ?? [b]) : [b];
          if (rows.length > 1) shared++;
          out[i] = onMask(rows.reduce((s, r) => s + leafAdv[r], 0) / rows.length, 1);
        }
        // Rows outside the tree's roots (children) keep their advantages.
        if (batch.rowKinds[b] !== 'root') for (let k = 0; k < T; k++) out[b * T + k] = onMask(adv[b * T + k], batch.lossMaskValues[b * T + k]);
      }
      return { advantages: tf.tensor2d(out, [B, T]), metrics: { 'advantageTransform/arpo-hard/shared_tokens': shared } };
    },
  }),
});
