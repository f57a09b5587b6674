import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, TirlError } from '@tirl/core';
import { z } from 'zod';
import { onMask, shapeOf, trajectoryOf } from '../math/batch-views';
import { groupNormalize, groupRows } from '../math/group-stats';
import { metaSpans, spanMask, toolTurnSpans } from '../math/spans';
import { groupNormFields } from '../options';

/**
 * ToolPO (DeepAgent): `A[b, t] = A_succ(b) + M[b, t]·A_action(b)` on the loss mask, with both channels
 * mean-centred within the group (no std division by default, paper Eq. 5–7). `R_succ` is the row's score;
 * `R_action` is `trajectory.rewardComponents[actionRewardKey]` (the trainer records each reward plugin's score
 * under `reward/<name>`; the default reads `reward/tool-format`). `M` marks action tokens: the spans in
 * `trajectory.meta[spansKey]` (`[[start, end), ...]` over the full row, tool calls and fold tokens), or with
 * `actionTokens: 'tool-turns'` every policy segment that is directly followed by a tool segment.
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
      actionTokens: z.enum(['spans', 'tool-turns']).default('spans'),
      spansKey: z.string().min(1).default('actionSpans'),
    })
    .strict(),
  create: (options) => ({
    compute({ batch, scores }) {
      const [B, T] = shapeOf(batch);
      const real = (b: number) => batch.rowKinds[b] !== 'pad';
      const action = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        if (!real(b)) continue;
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
      }
      const groups = [...groupRows(batch.groupIds, real).values()];
      const aSucc = groupNormalize(scores, groups, options);
      const aAction = groupNormalize(action, groups, options);
      const isAction = spanMask(batch, (b) => {
        const t = trajectoryOf(batch, b, 'advantage/toolpo');
        return options.actionTokens === 'spans' ? metaSpans(t, options.spansKey) : toolTurnSpans(t);
      });
      const out = new Float32Array(B * T);
      for (let b = 0; b < B; b++) {
        if (!real(b)) continue;
        for (let t = 0; t < T; t++) {
          const i = b * T + t;
          out[i] = onMask(aSucc[b] + isAction[i] * aAction[b], batch.lossMaskValues[i]);
        }
      }
      return { advantages: tf.tensor2d(out, [B, T]), metrics: { 'advantage/toolpo/action_tokens': isAction.reduce((s, x) => s + x, 0) } };
    },
  }),
});
