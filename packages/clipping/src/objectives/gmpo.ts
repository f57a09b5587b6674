import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { cleanInput } from '../math/objective-input';
import { broadcastRows, rowMeans } from '../math/tensor';
import { surrogateMetrics } from '../math/objective-fields';

const NAME = 'gmpo';

/**
 * GMPO: maximise the geometric mean of the token ratios. Each token's log-ratio is clipped one-sidedly
 * (by the sign of A) in log space before averaging: d_min = sgn·min(sgn·d, sgn·clip(d, −epsLow, epsHigh)),
 * L_i = −Ā_i·exp(mean_t d_min). The per-sequence loss is written on every valid token of the row, so
 * seq-mean-token-mean (which the objective declares) gives mean_i L_i, verl's `geo_mean`.
 */
export const gmpo = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'GMPO: geometric-mean policy optimisation with per-token clipping in log space',
  paper: { title: 'Geometric-Mean Policy Optimization', arxiv: '2507.20673', section: 'clip range (e^-0.4, e^0.4)' },
  options: z
    .object({
      /** Log-space lower bound: d ≥ −epsLow (paper: 0.4). Unlike PPO's ε this bounds log r, not r. */
      epsLow: z.number().positive().default(0.4),
      /** Log-space upper bound: d ≤ epsHigh (paper: 0.4). */
      epsHigh: z.number().positive().default(0.4),
    })
    .strict(),
  create: (o) => ({
    requiredAggregation: 'seq-mean-token-mean',
    perToken(input) {
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const d = tf.sub(clean.logProbs, clean.oldLogProbs);
        const sgn = tf.sign(clean.advantages);
        const dClip = tf.clipByValue(d, -o.epsLow, o.epsHigh);
        const dMin = tf.mul(sgn, tf.minimum(tf.mul(sgn, d), tf.mul(sgn, dClip))) as tf.Tensor2D;
        const seqRatio = tf.exp(rowMeans(dMin, clean.mask)) as tf.Tensor1D;
        const seqAdvantage = rowMeans(clean.advantages, clean.mask);
        const seqLoss = tf.neg(tf.mul(seqAdvantage, seqRatio)) as tf.Tensor1D;
        const clipped = tf.logicalAnd(tf.notEqual(sgn, 0), tf.notEqual(dMin, d));
        return {
          perToken: tf.mul(broadcastRows(seqLoss, clean.mask), clean.mask) as tf.Tensor2D,
          metrics: {
            ...surrogateMetrics(NAME, clean, { clipped }),
          },
        };
      });
    },
  }),
});
