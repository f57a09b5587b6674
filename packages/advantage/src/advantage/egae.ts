import { definePlugin, TirlError, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { maskedTensor, readMatrix, shapeOf } from '../math/batch-views';
import { generalisedAdvantages, tokenRewardMatrix } from '../math/returns';
import { whitenIf } from '../math/whiten';
import { gaeFields } from '../options';

/** Whether a row's response is unfinished (cut by a generation window, to be continued later). */
export function isUnfinished(t: Trajectory | null, rule: 'window-flag' | 'length-finish', flagKey: string): boolean {
  if (!t) return false;
  if (rule === 'window-flag') return t.meta?.[flagKey] === true;
  return t.meta?.[flagKey] === true || t.finishReason === 'length';
}

/**
 * T-PPO's Extended GAE: GAE over trained tokens (as `advantage/gae`), except that an UNFINISHED response
 * (cut by the generation window, not ended) bootstraps its last token with `V(s_l) := V(s_{l−1})` instead
 * of 0 and carries no outcome reward yet (its score is ignored; token rewards still count). So with γ = 1
 * the last window-edge δ is 0 instead of the spurious −V. The value model is trained on finished responses
 * only (`valueOn: 'finished'`: `valueMask` 0 on unfinished rows), the decoupled value update of T-PPO.
 */
export const egae = definePlugin({
  kind: 'advantage',
  name: 'egae',
  summary: 'T-PPO Extended GAE: unfinished (window-cut) responses bootstrap with V(s_l) = V(s_{l−1}); value targets from finished responses only',
  paper: { title: 'Truncated Proximal Policy Optimization', arxiv: '2506.15050', section: '3 (Extended GAE; decoupled policy and value updates)' },
  options: z
    .object({
      ...gaeFields,
      /** `window-flag`: `meta[flagKey]` (set by `rollout/successive-window`); `length-finish`: also any response cut by the length limit. */
      unfinished: z.enum(['window-flag', 'length-finish']).default('window-flag'),
      flagKey: z.string().min(1).default('windowTruncated'),
      /** Value-loss rows: `finished` (T-PPO) or `all`. */
      valueOn: z.enum(['finished', 'all']).default('finished'),
    })
    .strict(),
  requires: ['values'],
  create: (o) => ({
    compute(input) {
      const { batch, values } = input;
      if (!values) throw new TirlError('advantage/egae: needs `values` [B, T]; the trainer provides them from its critic (requires: ["values"])', 'missing-input');
      const [B, T] = shapeOf(batch);
      const open = batch.trajectories.map((t) => isUnfinished(t, o.unfinished, o.flagKey));
      const v = readMatrix(values);
      const r = tokenRewardMatrix({ ...input, scores: Float32Array.from(input.scores, (s, b) => (open[b] ? 0 : s)) });
      // EGAE: the state after an unfinished row's last generated token is valued as the last one, V(s_l) = V(s_{l−1}).
      const { advantages: adv, returns: ret } = generalisedAdvantages(batch, v, r, o, open);
      const valueMask = new Float64Array(B * T);
      for (let b = 0; b < B; b++) {
        if (batch.rowKinds[b] === 'pad' || (o.valueOn === 'finished' && open[b])) continue;
        for (let t = 0; t < T; t++) if (batch.lossMaskValues[b * T + t] > 0) valueMask[b * T + t] = 1;
      }
      const unfinished = open.filter(Boolean).length;
      return {
        advantages: maskedTensor(batch, whitenIf(batch, adv, o)),
        returns: maskedTensor(batch, ret),
        valueMask: maskedTensor(batch, valueMask),
        metrics: { 'advantage/egae/unfinished_rows': unfinished },
      };
    },
  }),
});
