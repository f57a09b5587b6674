import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { metricKey } from '../math/host';
import { cleanInput } from '../math/objective-input';
import { clippedSurrogate } from '../math/surrogate';
import { logRatio } from '../math/tensor';
import { logRatioClampField, surrogateMetrics } from '../math/objective-fields';

const NAME = 'bapo';

const schema = z
  .object({
    /** Target share ρ₀ of positive-advantage contribution, pos/(pos + neg) (paper: 0.5; the repo's pos/neg target 1 is the same). */
    targetShare: z.number().gt(0).lt(1).default(0.5),
    /**
     * How a token counts: `indicator` (default, the paper's rule) counts r·A only for tokens that still
     * carry a gradient under the current bounds; `clipped-value` (reference repo) counts every token at
     * its clipped value min(r, cHigh)·A or max(r, cLow)·A.
     */
    contribution: z.enum(['indicator', 'clipped-value']).default('indicator'),
    /** c_low starts here and rises to lowMax (paper README [0.6, 0.9]; repo yaml [0.6, 0.8]). */
    lowStart: z.number().positive().default(0.6),
    lowMax: z.number().positive().default(0.9),
    /** c_high starts here and rises to highMax (paper README [1.2, 3.0]; repo yaml [1.2, 2.0]). */
    highStart: z.number().positive().default(1.2),
    highMax: z.number().positive().default(3),
    /** Step of each bound per search iteration (repo: 0.05). */
    lowStep: z.number().positive().default(0.05),
    highStep: z.number().positive().default(0.05),
    /** Dual clip for A < 0 (repo: 3.0); `null` turns it off. */
    dualClipC: z.number().gt(1).nullable().default(3),
    logRatioClamp: logRatioClampField,
  })
  .strict()
  .refine((o) => o.lowStart <= o.lowMax, { message: 'lowStart must not exceed lowMax', path: ['lowStart'] })
  .refine((o) => o.highStart <= o.highMax, { message: 'highStart must not exceed highMax', path: ['highStart'] })
  .refine((o) => o.lowMax < 1 && o.highStart > 1, { message: 'bounds must keep 1 inside: lowMax < 1 < highStart', path: ['lowMax'] });

type BapoOptions = z.output<typeof schema>;

/** Share of the positive-advantage contribution under bounds [cLow, cHigh], over valid tokens. */
function positiveShare(o: BapoOptions, r: Float32Array, a: Float32Array, m: Float32Array, cLow: number, cHigh: number): number {
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < m.length; i++) {
    if (m[i] <= 0 || a[i] === 0) continue;
    if (o.contribution === 'indicator') {
      const active = a[i] > 0 ? r[i] <= cHigh : r[i] >= cLow && (o.dualClipC === null || r[i] <= o.dualClipC);
      if (!active) continue;
      if (a[i] > 0) pos += r[i] * a[i];
      else neg += -r[i] * a[i];
    } else {
      const eff = (a[i] > 0 ? Math.min(r[i], cHigh) : Math.max(r[i], cLow)) * a[i];
      if (eff > 0) pos += eff;
      else neg -= eff;
    }
  }
  return pos + neg === 0 ? 1 : pos / (pos + neg);
}

/** The repo's search: raise c_low first, then c_high, step by step, until the target share is met. */
export function searchBapoBounds(o: BapoOptions, r: Float32Array, a: Float32Array, m: Float32Array) {
  const tol = 1e-9;
  let cLow = o.lowStart;
  let cHigh = o.highStart;
  let share = positiveShare(o, r, a, m, cLow, cHigh);
  while (share < o.targetShare && cLow < o.lowMax - tol) {
    cLow = Math.min(cLow + o.lowStep, o.lowMax);
    share = positiveShare(o, r, a, m, cLow, cHigh);
  }
  while (share < o.targetShare && cHigh < o.highMax - tol) {
    cHigh = Math.min(cHigh + o.highStep, o.highMax);
    share = positiveShare(o, r, a, m, cLow, cHigh);
  }
  return { cLow, cHigh, share };
}

/**
 * BAPO: per step, widen the ratio bounds [c_low, c_high] until positive-advantage tokens reach the
 * target share of the loss contribution, then apply the PPO clip (and dual clip) with those bounds.
 * The search sees the tensor it is given: call it on the whole mini-batch for the paper's behaviour.
 */
export const bapo = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'BAPO: PPO clip whose bounds widen each step until positive tokens reach a target loss share',
  paper: { title: 'BAPO: Stabilizing Off-Policy Reinforcement Learning for LLMs via Balanced Policy Optimization with Adaptive Clipping', arxiv: '2510.18927', section: 'adaptive clipping; ρ₀ = 0.5' },
  options: schema,
  create: (o) => ({
    perToken(input) {
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const ratio = tf.exp(logRatio(clean.logProbs, clean.oldLogProbs, o.logRatioClamp)) as tf.Tensor2D;
        const found = searchBapoBounds(
          o,
          ratio.dataSync() as Float32Array,
          clean.advantages.dataSync() as Float32Array,
          clean.mask.dataSync() as Float32Array,
        );
        const s = clippedSurrogate(ratio, clean.advantages, found.cLow, found.cHigh, o.dualClipC);
        return {
          perToken: tf.mul(s.loss, clean.mask) as tf.Tensor2D,
          metrics: {
            [metricKey('objective', NAME, 'clip_low')]: found.cLow,
            [metricKey('objective', NAME, 'clip_high')]: found.cHigh,
            [metricKey('objective', NAME, 'positive_share')]: found.share,
            ...surrogateMetrics(NAME, clean, { clipped: s.clipped }),
          },
        };
      });
    },
  }),
});
