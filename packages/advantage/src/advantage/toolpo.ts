import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, TirlError, type Batch } from '@tirl/core';
import { z } from 'zod';
import { onMask, shapeOf, trajectoryOf } from '../math/batch-views';
import { groupNormalize, groupRows } from '../math/group-stats';
import { metaSpans, spanMask, toolTurnSpans } from '../math/spans';
import { groupNormFields } from '../options';

/**
 * ToolPO (DeepAgent): `A[b, t] = A_succ(b) + M[b, t]·A_action(b)` on the loss mask, with both channels
 * mean-centred within the group (no std division by default, paper Eq. 5–7). `R_action` is
 * `trajectory.rewardComponents[actionRewardKey]` (the trainer records each reward plugin's score under
 * `reward/<name>`; the default reads `reward/tool-format`). `R_succ` is the row's score, or with
 * `successExcludesAction` the score less `R_action` (the paper keeps the two rewards apart; the trainer sums
 * every reward into the score). `M` marks action tokens: the spans in `trajectory.meta[spansKey]`
 * (`[[start, end), ...]` over the full row: tool calls and fold tokens, which the rollout engine records),
 * or with `actionTokens: 'tool-turns'` every policy segment that is directly followed by a tool segment.
 * Group statistics run over root rows; a child row (a fold piece or a sub-agent rollout) carries its
 * root's two advantages on its own tokens, as the post-fold rows of one DeepAgent trajectory do.
 */
export const toolpo = definePlugin({
  kind: 'advantage',
  name: 'toolpo',
  summary: 'ToolPO: success advantage on all tokens plus an action advantage on tool-call and fold tokens only',
  paper: { title: 'DeepAgent: A General Reasoning Agent with Scalable Toolsets', arxiv: '2510.21618', section: '3.5 (Eq. 5-7)' },
  options: z
    .object({
      ...groupNormFields,
      normByStd: z.boolean().default(false),
      actionRewardKey: z.string().min(1).default('reward/tool-format'),
      /** R_succ = score − R_action (the paper's separate rewards) instead of the whole score. */
      successExcludesAction: z.boolean().default(false),
      actionTokens: z.enum(['spans', 'tool-turns']).default('spans'),
      spansKey: z.string().min(1).default('actionSpans'),
    })
    .strict(),
  create: (options) => ({
    compute({ batch, scores }) {
      const [B, T] = shapeOf(batch);
      const isRoot = (b: number) => batch.rowKinds[b] === 'root';
      const action = new Float64Array(B);
      const success = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        if (!isRoot(b)) continue;
        const t = trajectoryOf(batch, b, 'advantage/toolpo');
        const value = t.rewardComponents?.[options.actionRewardKey];
        if (typeof value !== 'number') {
          throw new TirlError(
            `advantage/toolpo: trajectory "${t.id}" has no rewardComponents.${options.actionRewardKey}; ` +
              'add a reward function that scores tool-call correctness under that key, or set actionRewardKey',
            'missing-input',
          );
        }
        action[b] = value;
        success[b] = options.successExcludesAction ? scores[b] - value : scores[b];
      }
      const groups = [...groupRows(batch.groupIds, isRoot).values()];
      const aSucc = groupNormalize(success, groups, options);
      const aAction = groupNormalize(action, groups, options);
      const rootRow = rootRowOf(batch);
      const isAction = spanMask(batch, (b) => {
        const t = trajectoryOf(batch, b, 'advantage/toolpo');
        return options.actionTokens === 'spans' ? metaSpans(t, options.spansKey) : toolTurnSpans(t);
      });
      const out = new Float32Array(B * T);
      for (let b = 0; b < B; b++) {
        const r = rootRow[b];
        if (r < 0) continue;
        for (let t = 0; t < T; t++) {
          const i = b * T + t;
          out[i] = onMask(aSucc[r] + isAction[i] * aAction[r], batch.lossMaskValues[i]);
        }
      }
      return { advantages: tf.tensor2d(out, [B, T]), metrics: { 'advantage/toolpo/action_tokens': isAction.reduce((s, x) => s + x, 0) } };
    },
  }),
});

/** For each row, the row of its root (itself for a root; -1 for pad rows and rows whose root is not in the batch). */
function rootRowOf(batch: Batch): Int32Array {
  const byRoot = new Map<number, number>();
  batch.rowKinds.forEach((k, b) => {
    if (k === 'root') byRoot.set(batch.rootIds[b], b);
  });
  return Int32Array.from(batch.rowKinds, (k, b) => (k === 'pad' ? -1 : (byRoot.get(batch.rootIds[b]) ?? -1)));
}
