import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, TirlError } from '@tirl/core';
import { z } from 'zod';
import { normalisedEntropy } from '../math/entropy-scale';
import { maskedFraction, metricKey } from '../math/host';
import { cleanInput } from '../math/objective-input';
import { clippedSurrogate } from '../math/surrogate';
import { logRatio, maskOut } from '../math/tensor';
import { logRatioClampField, surrogateMetrics } from '../math/objective-fields';

const NAME = 'hapo';

/**
 * HAPO asymmetric adaptive clipping, with the optional differential advantage redistribution.
 * From the normalised entropy ĥ ∈ [−1, 1]: low-entropy tokens (ĥ ≤ 0) get ε_low' = ε_low·(1 − α·ĥ),
 * high-entropy tokens (ĥ > 0) get ε_high' = ε_high·(1 + α·ĥ). Redistribution: A' = A·(1 + β·ĥ), used by
 * high-entropy tokens outside the neutral zone N = (1 − ε_low'/2, 1 + ε_high'/2) and by low-entropy
 * tokens inside it. ĥ is computed over the tokens of the tensor it is given.
 */
export const hapo = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'HAPO: entropy-adaptive asymmetric clip bounds and differential advantage redistribution',
  paper: { title: "From Uniform to Heterogeneous: Tailoring Policy Optimization to Every Token's Nature", arxiv: '2509.16591', section: 'ada_clip, ada_advantage; recipe qwen2.5_math_7b.sh' },
  requires: ['entropies'],
  options: z
    .object({
      epsLow: z.number().positive().default(0.2),
      epsHigh: z.number().positive().default(0.2),
      /** α: how much the entropy widens the bounds (recipe: 1.0). */
      clipAlpha: z.number().min(0).default(1),
      /** Quantile of log-entropy used as the pivot (recipe: 0.8). */
      entropyPivot: z.number().min(0).max(1).default(0.8),
      /** Differential advantage redistribution on/off (recipe: on). */
      adaptiveAdvantage: z.boolean().default(true),
      /** β of the redistribution (recipe: 1.0). */
      advantageBeta: z.number().min(0).default(1),
      /** Dual clip for A < 0 (recipe: 10); `null` turns it off. */
      dualClipC: z.number().gt(1).nullable().default(10),
      logRatioClamp: logRatioClampField,
    })
    .strict(),
  create: (o) => ({
    perToken(input) {
      if (!input.entropies) {
        throw new TirlError('objective/hapo needs entropies: the trainer must provide them (requires: ["entropies"])', 'missing-input');
      }
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const entropies = maskOut(input.entropies!, clean.mask);
        const hHat = tf.tensor2d(normalisedEntropy(entropies.dataSync(), clean.mask.dataSync(), o.entropyPivot), clean.mask.shape);
        const high = tf.greater(hHat, 0);
        const epsLow = tf.where(high, tf.fill(hHat.shape, o.epsLow), tf.mul(o.epsLow, tf.sub(1, tf.mul(o.clipAlpha, hHat))));
        const epsHigh = tf.where(high, tf.mul(o.epsHigh, tf.add(1, tf.mul(o.clipAlpha, hHat))), tf.fill(hHat.shape, o.epsHigh));
        const ratio = tf.exp(logRatio(clean.logProbs, clean.oldLogProbs, o.logRatioClamp)) as tf.Tensor2D;
        let advantages = clean.advantages;
        let redistributed: tf.Tensor = tf.zerosLike(ratio);
        if (o.adaptiveAdvantage) {
          const inNeutral = tf.logicalAnd(
            tf.greater(tf.tensor2d(ratio.dataSync(), ratio.shape), tf.sub(1, tf.div(epsLow, 2))),
            tf.less(tf.tensor2d(ratio.dataSync(), ratio.shape), tf.add(1, tf.div(epsHigh, 2))),
          );
          // high ? !inNeutral : inNeutral. Not tf.where on bool tensors: tfjs-wasm's Select corrupts its heap on them.
          const useScaled = tf.logicalXor(high, inNeutral);
          const scaled = tf.mul(clean.advantages, tf.add(1, tf.mul(o.advantageBeta, hHat)));
          advantages = tf.where(useScaled, scaled, clean.advantages) as tf.Tensor2D;
          redistributed = tf.cast(useScaled, 'float32');
        }
        const low = tf.sub(1, epsLow) as tf.Tensor2D;
        const upper = tf.add(1, epsHigh) as tf.Tensor2D;
        const s = clippedSurrogate(ratio, advantages, low, upper, o.dualClipC);
        return {
          perToken: tf.mul(s.loss, clean.mask) as tf.Tensor2D,
          metrics: {
            ...surrogateMetrics(NAME, clean, s),
            [metricKey('objective', NAME, 'redistributed_fraction')]: maskedFraction(redistributed, clean.mask),
          },
        };
      });
    },
  }),
});
