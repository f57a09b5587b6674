import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { broadcastRows, realRows } from '../math/batch-views';
import { groupNormalize, groupsOf } from '../math/group-stats';
import { groupNormFields } from '../options';

/**
 * GRPO group-relative advantage: `A_i = (R_i − mean_g R)/(std_g R + eps)` broadcast onto the row's loss
 * mask (`[B, T]`). Every non-pad row of a group enters the statistics. `normByStd: false` is Dr. GRPO.
 */
export const grpo = definePlugin({
  kind: 'advantage',
  name: 'grpo',
  summary: 'Group-relative advantage: score standardised within its group (Dr. GRPO with normByStd=false)',
  paper: { title: 'DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models', arxiv: '2402.03300', section: '4.1.2' },
  options: z
    .object({
      ...groupNormFields,
      /** `group` std per prompt (GRPO) or one std over the whole batch (TRL `scale_rewards="batch"`). */
      stdScope: z.enum(['group', 'batch']).default('group'),
    })
    .strict(),
  create: (options) => ({
    compute({ batch, scores }) {
      const groups = groupsOf(batch);
      const perRow = groupNormalize(scores, groups, { ...options, batchStd: options.stdScope === 'batch' });
      const flat = groups.filter((rows) => rows.length > 1);
      const zeroStd = flat.filter((rows) => rows.every((b) => scores[b] === scores[rows[0]])).length;
      return {
        advantages: broadcastRows(batch, perRow),
        metrics: {
          'advantage/grpo/zero_std_group_fraction': flat.length ? zeroStd / flat.length : 0,
          'advantage/grpo/rows': realRows(batch).length,
        },
      };
    },
  }),
});
