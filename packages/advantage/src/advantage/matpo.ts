import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { onMask, shapeOf } from '../math/batch-views';
import { groupNormalize, groupRows } from '../math/group-stats';
import { groupNormFields } from '../options';

/**
 * MATPO credit assignment. GRPO statistics use ROOT (planner) rows only, grouped by `groupIds`; worker rows
 * (`rowKinds` 'child') and pad rows never enter them. Each child receives its root's scalar advantage
 * (matched by `rootIds`) on its own loss mask (paper, the default). `broadcast: 'parent-row'` reproduces the
 * released code, which copies the root's masked advantage ROW of the response region: worker response token k
 * (k counted from where the worker's prompt ends) gets Â only where planner response token k (counted from
 * where the planner's prompt ends) was trained; past the planner's last token it gets 0. Prompts differ in
 * length, so aligning whole padded rows instead would gate other tokens.
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
        // Response-relative offset: worker position t reads planner position t + shift.
        const shift = copyRow ? responseStart(batch.trajectories[root]) - responseStart(batch.trajectories[b]) : 0;
        for (let t = 0; t < T; t++) {
          const at = t + shift;
          const gate = !copyRow ? 1 : at >= 0 && at < T ? m[root * T + at] : 0;
          out[b * T + t] = onMask(rootAdv[root], gate * m[b * T + t]);
        }
      }
      return {
        advantages: tf.tensor2d(out, [B, T]),
        metrics: { 'advantage/matpo/roots': rootRowOf.size, 'advantage/matpo/orphan_children': orphans },
      };
    },
  }),
});

/** Tokens of the leading `prompt` segments: where the response region (verl's `responses`) of a row starts. */
export function responseStart(t: Trajectory | null): number {
  let n = 0;
  for (const seg of t?.segments ?? []) {
    if (seg.source !== 'prompt') break;
    n += seg.tokenIds.length;
  }
  return n;
}
