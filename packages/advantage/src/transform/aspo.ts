import { definePlugin, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { readMatrix, rowMeansOnMask, shapeOf, shiftedRows, trajectoryOf } from '../math/batch-views';
import { groupsOf } from '../math/group-stats';

/**
 * ASPO early-tool-call shaping. Among the rows of a group that are correct (`score ≥ correctAtLeast`) and
 * made a tool call, with `p_i` = policy tokens generated before the first tool segment and `L_i` = policy
 * tokens of the row: `A_i ← A_i + clip(δ·(p_i − mean p)/mean L, −k·|A_i|, k·|A_i|)` on every trained token.
 * `A_i` is the incoming advantage (mean over trained tokens). In an all-correct group A = 0, so nothing moves.
 */
export const aspo = definePlugin({
  kind: 'advantageTransform',
  name: 'aspo',
  summary: 'ASPO: clipped advantage bias that favours correct responses which call a tool earlier',
  paper: { title: 'Understanding Tool-Integrated Reasoning', arxiv: '2508.19201', section: '3.3 (Eq. 2)' },
  options: z
    .object({
      /** δ < 0: an earlier first call gets a larger advantage (conservative −2.0, aggressive −2.5). */
      delta: z.number().default(-2),
      /** Clip as a fraction of |A_i| (conservative 0.7, aggressive 0.9). */
      k: z.number().gt(0).lt(1).default(0.7),
      /** Scores at or above this count as correct. */
      correctAtLeast: z.number().default(1),
    })
    .strict(),
  create: (options) => ({
    transform({ batch, scores, advantages }) {
      const [B] = shapeOf(batch);
      const adv = readMatrix(advantages);
      const rowAdv = rowMeansOnMask(batch, adv);
      const bias = new Float64Array(B);
      for (const rows of groupsOf(batch)) {
        const shaped = rows
          .filter((b) => scores[b] >= options.correctAtLeast)
          .map((b) => ({ b, ...firstToolPosition(trajectoryOf(batch, b, 'advantageTransform/aspo')) }))
          .filter((r) => r.position !== undefined);
        if (shaped.length === 0) continue;
        const meanP = shaped.reduce((s, r) => s + r.position!, 0) / shaped.length;
        const meanL = shaped.reduce((s, r) => s + r.length, 0) / shaped.length;
        if (meanL <= 0) continue;
        for (const { b, position } of shaped) {
          const bound = options.k * Math.abs(rowAdv[b]);
          bias[b] = Math.min(Math.max((options.delta * (position! - meanP)) / meanL, -bound), bound);
        }
      }
      return { advantages: shiftedRows(batch, adv, bias) };
    },
  }),
});

/** Policy tokens before the first tool segment (undefined without one) and all policy tokens of the row. */
function firstToolPosition(t: Trajectory): { position?: number; length: number } {
  let policy = 0;
  let position: number | undefined;
  for (const seg of t.segments) {
    if (seg.source === 'tool' && position === undefined) position = policy;
    if (seg.source === 'policy') policy += seg.tokenIds.length;
  }
  return { position, length: policy };
}
