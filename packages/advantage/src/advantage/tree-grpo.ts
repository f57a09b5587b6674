import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { broadcastRows } from '../math/batch-views';
import { groupNormalize, groupRows, groupsOf } from '../math/group-stats';
import { treeKeys } from '../math/tree-keys';
import { groupNormFields } from '../options';

/**
 * Tree-GRPO: `A_i = GRPO(R_i; all leaves of the prompt) + GRPO(R_i; leaves of the same tree)`, broadcast onto
 * the loss mask (shared-prefix tokens are trained once, by the row that owns them). A row's tree comes from
 * `trees`, else `trajectory.treePath[0]`, else the row alone; a single-leaf tree is a singleton group, so a
 * flat rollout gives plain GRPO (with `singleton: 'zero'`).
 */
export const treeGrpo = definePlugin({
  kind: 'advantage',
  name: 'tree-grpo',
  summary: 'Tree-GRPO: group-relative advantage over the prompt plus over the leaves of the same tree',
  paper: { title: 'Tree Search for LLM Agent Reinforcement Learning', arxiv: '2509.21240', section: '3.3' },
  options: z
    .object({
      ...groupNormFields,
      /** `inter+intra` (paper, code `tree`) or `intra` only (code `tree_inner`). */
      terms: z.enum(['inter+intra', 'intra']).default('inter+intra'),
    })
    .strict(),
  create: (options) => ({
    compute({ batch, scores, trees }) {
      const real = (b: number) => batch.rowKinds[b] !== 'pad';
      const keys = treeKeys(batch, trees);
      const intra = groupNormalize(scores, groupRows(keys.map((k) => k ?? ''), real).values(), options);
      const inter = options.terms === 'intra' ? new Float64Array(scores.length) : groupNormalize(scores, groupsOf(batch), options);
      const perRow = intra.map((a, b) => a + inter[b]);
      return { advantages: broadcastRows(batch, perRow) };
    },
  }),
});
