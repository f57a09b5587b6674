import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { applyRolloutCorrection, cleanInput } from '../math/objective-input';
import { clippedSurrogate } from '../math/surrogate';
import { logRatio } from '../math/tensor';
import { logRatioClampField, rolloutCorrectionField, surrogateMetrics } from '../math/objective-fields';

const NAME = 'ppo-clip';

/**
 * PPO clipped surrogate with decoupled bounds [1 − epsLow, 1 + epsHigh] (DAPO clip-higher when
 * epsHigh > epsLow) and the optional dual clip for negative advantages.
 */
export const ppoClip = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'PPO clipped surrogate with separate low/high epsilon (clip-higher) and optional dual clip',
  paper: { title: 'Proximal Policy Optimization Algorithms', arxiv: '1707.06347', section: 'eq. 7; clip-higher: DAPO 2503.14476 §3.1; dual clip: 1912.09729' },
  options: z
    .object({
      /** Lower clip: r ≥ 1 − epsLow. PPO/verl 0.2. */
      epsLow: z.number().positive().default(0.2),
      /** Upper clip: r ≤ 1 + epsHigh. PPO 0.2; DAPO clip-higher 0.28 (2503.14476 §3.1). */
      epsHigh: z.number().positive().default(0.2),
      /**
       * Dual-clip constant c > 1: for A < 0 the loss is at most −A·c (1912.09729). `null` (default, as
       * in the PPO paper and OpenRLHF) turns it off; verl always applies it with c = 3, DAPO uses 10.
       */
      dualClipC: z.number().gt(1).nullable().default(null),
      /** |ℓ − ℓ_old| is clamped to this before exp (verl: 20). */
      logRatioClamp: logRatioClampField,
      rolloutCorrection: rolloutCorrectionField,
    })
    .strict(),
  create: (o) => ({
    perToken(input) {
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const ratio = tf.exp(logRatio(clean.logProbs, clean.oldLogProbs, o.logRatioClamp)) as tf.Tensor2D;
        const s = clippedSurrogate(ratio, clean.advantages, 1 - o.epsLow, 1 + o.epsHigh, o.dualClipC);
        const metrics: Record<string, number> = {
          ...surrogateMetrics(NAME, clean, s),
        };
        const loss = applyRolloutCorrection(NAME, tf.mul(s.loss, clean.mask) as tf.Tensor2D, o.rolloutCorrection, input, clean, metrics);
        return { perToken: loss, metrics };
      });
    },
  }),
});
