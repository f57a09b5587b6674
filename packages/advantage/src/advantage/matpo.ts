import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { onMask, shapeOf } from '../math/batch-views';
import { groupNormalize, groupRows } from '../math/group-stats';
import { groupNormFields } from '../options';

/**
 * MATPO credit assignment. GRPO statistics use ROOT (planner) rows only, grouped by `groupIds`; worker rows
 * (`rowKinds` 'child') and pad rows never enter them. Each child receives its root's scalar advantage
 * (matched by `rootIds`) on its own loss mask (paper, the default). `broadcast: 'parent-row'` reproduces the
 * released code, which copies the root's masked advantage ROW, so a worker token gets Â only where the
 * planner row also had a trained token at the same position.
 */
export const matpo = definePlugin({
  kind: 'advantage',
  name: 'matpo',
  summary: 'Multi-agent GRPO: group statistics over planner rollouts, scalar advantage broadcast to their workers',
  paper: { title: 'MATPO: Multi-Agent Tool-Integrated Policy Optimization', arxiv: '2510.04678', section: '3.3 (credit assignment)' },
  options: z
    .object({
      ...groupNormFields,
      /** `scalar` (paper): Â_root × the worker's own mask; `parent-row` (released code): Â_root × root mask × worker mask. */
      broadcast: z.enum(['scalar', 'parent-row']).default('scalar'),
    })
    .strict(),
  create: (options) => ({
    compute({ batch, scores }) {
      const [B, T] = shapeOf(batch);
      const groups = groupRows(batch.groupIds, (b) => batch.rowKinds[b] === 'root');
      const rootAdv = groupNormalize(scores, groups.values(), options);
      const rootRowOf = new Map<number, number>();
      for (const rows of groups.values()) for (const b of rows) rootRowOf.set(batch.rootIds[b], b);

      const m = batch.lossMaskValues;
      const out = new Float32Array(B * T);
      let orphans = 0;
      for (let b = 0; b < B; b++) {
        const kind = batch.rowKinds[b];
        if (kind === 'pad') continue;
        const root = kind === 'root' ? b : rootRowOf.get(batch.rootIds[b]);
        if (root === undefined) {
          orphans += 1;
          continue;
        }
        const copyRow = kind === 'child' && options.broadcast === 'parent-row';
        for (let t = 0; t < T; t++) {
          const gate = copyRow ? m[root * T + t] : 1;
          out[b * T + t] = onMask(rootAdv[root], gate * m[b * T + t]);
        }
      }
      return {
        advantages: tf.tensor2d(out, [B, T]),
        metrics: { 'advantage/matpo/roots': rootRowOf.size, 'advantage/matpo/orphanChildren': orphans },
      };
    },
  }),
});
