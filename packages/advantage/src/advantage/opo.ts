import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { broadcastRows, trainedTokens } from '../math/batch-views';
import { groupsOf } from '../math/group-stats';

/** OPO: length-weighted group baseline `b_g = Σ_j |y_j|·R_j / Σ_j |y_j|`; `A_i = R_i − b_g` on the loss mask. */
export const opo = definePlugin({
  kind: 'advantage',
  name: 'opo',
  summary: 'On-policy optimal baseline: score minus the trained-token-length-weighted mean of its group',
  paper: { title: 'On-Policy RL with Optimal Reward Baseline', arxiv: '2505.23585', section: '2' },
  options: z.object({}).strict(),
  create: () => ({
    compute({ batch, scores }) {
      const perRow = new Float64Array(scores.length);
      for (const rows of groupsOf(batch)) {
        const lengths = rows.map((b) => trainedTokens(batch, b));
        const total = lengths.reduce((s, n) => s + n, 0);
        if (total === 0) continue;
        const baseline = rows.reduce((s, b, i) => s + lengths[i] * scores[b], 0) / total;
        for (const b of rows) perRow[b] = scores[b] - baseline;
      }
      return { advantages: broadcastRows(batch, perRow) };
    },
  }),
});
