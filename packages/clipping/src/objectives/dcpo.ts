import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { maskedMeanOf, metricKey } from '../math/host';
import { cleanInput } from '../math/objective-input';
import { clippedSurrogate } from '../math/surrogate';
import { logRatio } from '../math/tensor';
import { surrogateMetrics } from '../math/objective-fields';

const NAME = 'dcpo';

/**
 * DCPO dynamic-adaptive clipping: the bounds depend on the old token probability q = exp(ℓ_old),
 * from |(r − 1)·r·q| ≤ ε: low = ½ + ½√max(1 − 4·epsLow/q, 0), high = min(½ + ½√(1 + 4·epsHigh/q), max(c, 10)).
 * Rare tokens get much wider room. Then the PPO clip with the dual clip for A < 0.
 */
export const dcpo = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'DCPO: PPO clip with per-token bounds that widen for low-probability tokens',
  paper: { title: 'DCPO: Dynamic Clipping Policy Optimization', arxiv: '2509.02333', section: 'dynamic-adaptive clipping; README ε_low 0.16, ε_high 0.2' },
  options: z
    .object({
      /** ε_low in the probability-scaled constraint (README example: 0.16; recipe scripts: 0.2). */
      epsLow: z.number().positive().default(0.16),
      /** ε_high (README example: 0.2; recipe scripts: 0.28). */
      epsHigh: z.number().positive().default(0.2),
      /** Dual clip for A < 0 and the cap of `high` (max(c, 10)); recipe: 10. `null` turns the dual clip off (cap stays 10). */
      dualClipC: z.number().gt(1).nullable().default(10),
      /** No clamp of ℓ − ℓ_old before exp in the reference code (`null`). */
      logRatioClamp: z.number().positive().nullable().default(null),
    })
    .strict(),
  create: (o) => ({
    perToken(input) {
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const q = tf.exp(clean.oldLogProbs);
        const low = tf.add(0.5, tf.mul(0.5, tf.sqrt(tf.relu(tf.sub(1, tf.div(4 * o.epsLow, q)))))) as tf.Tensor2D;
        const cap = Math.max(o.dualClipC ?? 10, 10);
        const high = tf.minimum(tf.add(0.5, tf.mul(0.5, tf.sqrt(tf.add(1, tf.div(4 * o.epsHigh, q))))), cap) as tf.Tensor2D;
        const ratio = tf.exp(logRatio(clean.logProbs, clean.oldLogProbs, o.logRatioClamp)) as tf.Tensor2D;
        const s = clippedSurrogate(ratio, clean.advantages, low, high, o.dualClipC);
        return {
          perToken: tf.mul(s.loss, clean.mask) as tf.Tensor2D,
          metrics: {
            ...surrogateMetrics(NAME, clean, s),
            [metricKey('objective', NAME, 'mean_low')]: maskedMeanOf(low, clean.mask),
            [metricKey('objective', NAME, 'mean_high')]: maskedMeanOf(high, clean.mask),
          },
        };
      });
    },
  }),
});
