import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { applyRolloutCorrection, cleanInput } from '../math/objective-input';
import { logRatio, stopGradient } from '../math/tensor';
import { logRatioClampField, rolloutCorrectionField, surrogateMetrics } from '../math/objective-fields';

const NAME = 'cispo';

/**
 * CISPO: clip the importance weight and stop its gradient, L = −sg(clip(r, 1 − epsLow, 1 + epsHigh))·A·ℓ,
 * so every token keeps the gradient −w·A·∇ℓ. Only the gradient is meaningful; the loss value is not
 * comparable with PPO's.
 */
export const cispo = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'CISPO: REINFORCE with a clipped, stop-gradient importance weight (every token keeps a gradient)',
  paper: { title: 'MiniMax-M1: Scaling Test-Time Compute Efficiently with Lightning Attention', arxiv: '2506.13585', section: '§3.1 CISPO' },
  options: z
    .object({
      /** Lower weight bound 1 − epsLow; verl's example uses 10 (no lower bound). */
      epsLow: z.number().positive().default(10),
      /**
       * Upper weight bound 1 + epsHigh (verl, relative; example 0.2). TRL's `epsilon_high` is an absolute
       * cap on r: TRL 5.0 corresponds to epsHigh 4.0 here.
       */
      epsHigh: z.number().positive().default(0.2),
      /** |ℓ − ℓ_old| is clamped to this before exp (verl: 20). */
      logRatioClamp: logRatioClampField,
      rolloutCorrection: rolloutCorrectionField,
    })
    .strict(),
  create: (o) => ({
    perToken(input) {
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const ratio = tf.exp(logRatio(clean.logProbs, clean.oldLogProbs, o.logRatioClamp));
        const bounded = tf.clipByValue(ratio, 1 - o.epsLow, 1 + o.epsHigh);
        const weight = stopGradient(bounded);
        const raw = tf.mul(tf.neg(tf.mul(tf.mul(weight, clean.advantages), clean.logProbs)), clean.mask) as tf.Tensor2D;
        const metrics: Record<string, number> = {
          ...surrogateMetrics(NAME, clean, { clipped: tf.notEqual(bounded, ratio) }),
        };
        return { perToken: applyRolloutCorrection(NAME, raw, o.rolloutCorrection, input, clean, metrics), metrics };
      });
    },
  }),
});
