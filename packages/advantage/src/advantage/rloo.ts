import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { broadcastRows } from '../math/batch-views';
import { groupsOf } from '../math/group-stats';

/** RLOO: `A_i = R_i − mean_{j≠i} R_j` within the group, broadcast onto the loss mask (`[B, T]`). */
export const rloo = definePlugin({
  kind: 'advantage',
  name: 'rloo',
  summary: 'Leave-one-out baseline: each score minus the mean of the other rollouts of its group',
  paper: { title: "Back to Basics: Revisiting REINFORCE Style Optimization for Learning from Human Feedback in LLMs", arxiv: '2402.14740', section: '3' },
  options: z
    .object({
      /** A group of one: `zero` (verl vectorised) or `raw` (verl loop version: A = R). */
      singleton: z.enum(['zero', 'raw']).default('zero'),
    })
    .strict(),
  create: (options) => ({
    compute({ batch, scores }) {
      const perRow = new Float64Array(scores.length);
      for (const rows of groupsOf(batch)) {
        const n = rows.length;
        if (n === 1) {
          perRow[rows[0]] = options.singleton === 'raw' ? scores[rows[0]] : 0;
          continue;
        }
        const total = rows.reduce((s, b) => s + scores[b], 0);
        for (const b of rows) perRow[b] = scores[b] - (total - scores[b]) / (n - 1);
      }
      return { advantages: broadcastRows(batch, perRow) };
    },
  }),
});
