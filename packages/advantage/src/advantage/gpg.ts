import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { broadcastRows } from '../math/batch-views';
import { groupNormalize, groupsOf } from '../math/group-stats';

/**
 * GPG: `A_i = α·(R_i − mean_g R)/F_norm` on the row's loss mask, for the plain policy-gradient loss
 * `−ℓ·A` (`objective/reinforce`). `F_norm` = 1 (default) or `std_g + eps` (`fNorm: 'std'`). The gradient
 * correction `α` (Table 9): `valid-fraction` = B/(B − M), B the rows of the batch and M the rows of groups
 * whose rewards are all equal (std 0, no signal); `nonzero-rewards` = B / max(#rows with R ≠ 0, 1) (verl's
 * registered `gpg`); `none` = 1. With every group flat, α = 1 (all advantages are 0 anyway).
 */
export const gpg = definePlugin({
  kind: 'advantage',
  name: 'gpg',
  summary: 'GPG: group-mean-centred reward (no std by default), scaled by α = B/(B − M) for the rows that carry no signal',
  paper: { title: 'GPG: A Simple and Strong Reinforcement Learning Baseline for Model Reasoning', arxiv: '2504.02546', section: '3 (Table 9: A = α(R − mean), F_norm = 1)' },
  options: z
    .object({
      alpha: z.enum(['valid-fraction', 'nonzero-rewards', 'none']).default('valid-fraction'),
      fNorm: z.enum(['one', 'std']).default('one'),
      /** `std_g + eps` when `fNorm: 'std'` (the authors' code: 1e-4). */
      eps: z.number().nonnegative().default(1e-4),
      stdKind: z.enum(['unbiased', 'population']).default('unbiased'),
    })
    .strict(),
  create: (o) => ({
    compute({ batch, scores }) {
      const groups = groupsOf(batch);
      const B = groups.reduce((n, rows) => n + rows.length, 0);
      const flat = (rows: readonly number[]) => rows.every((b) => scores[b] === scores[rows[0]]);
      const M = groups.filter(flat).reduce((n, rows) => n + rows.length, 0);
      const nonzero = groups.flat().filter((b) => scores[b] !== 0).length;
      const alpha = o.alpha === 'none' || B === M ? 1 : o.alpha === 'valid-fraction' ? B / (B - M) : B / Math.max(nonzero, 1);
      const centred = groupNormalize(scores, groups, { normByStd: o.fNorm === 'std', stdKind: o.stdKind, eps: o.eps, singleton: 'zero' });
      return {
        advantages: broadcastRows(batch, centred.map((a) => alpha * a)),
        metrics: { 'advantage/gpg/alpha': alpha, 'advantage/gpg/flat_row_fraction': B ? M / B : 0 },
      };
    },
  }),
});
