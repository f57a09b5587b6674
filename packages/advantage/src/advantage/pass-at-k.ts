import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { broadcastRows } from '../math/batch-views';
import { groupsOf, moments } from '../math/group-stats';
import { groupNormFields } from '../options';

/**
 * Pass@k training (verl `grpo_passk`): only the best rollout of each group gets an advantage,
 * `(R_max − R_second)/(std_g + eps)` (or the plain gap with `normByStd: false`); every other row gets 0.
 * Ties for the best give a gap of 0. A group of one has no second score and gets 0.
 */
export const passAtK = definePlugin({
  kind: 'advantage',
  name: 'pass-at-k',
  summary: 'Pass@k advantage: the best rollout of a group gets its margin over the runner-up, the rest 0',
  paper: { title: 'Optimizing Language Models for Inference Time Objectives using Reinforcement Learning', arxiv: '2503.19595', section: '3' },
  options: z
    .object({
      normByStd: groupNormFields.normByStd,
      stdKind: groupNormFields.stdKind,
      eps: groupNormFields.eps,
    })
    .strict(),
  create: (options) => ({
    compute({ batch, scores }) {
      const perRow = new Float64Array(scores.length);
      for (const rows of groupsOf(batch)) {
        if (rows.length < 2) continue;
        // Stable order: the first row holding the maximum is "the best" (torch.topk picks one of the ties).
        const sorted = [...rows].sort((a, b) => scores[b] - scores[a] || a - b);
        const gap = scores[sorted[0]] - scores[sorted[1]];
        const scale = options.normByStd ? moments(rows.map((b) => scores[b]), options.stdKind).std + options.eps : 1;
        perRow[sorted[0]] = scale > 0 ? gap / scale : 0;
      }
      return { advantages: broadcastRows(batch, perRow) };
    },
  }),
});
