import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { applyRolloutCorrection, cleanInput } from '../math/objective-input';
import { clippedSurrogate } from '../math/surrogate';
import { broadcastRows, rowMeans, stopGradient } from '../math/tensor';
import { rolloutCorrectionField, surrogateMetrics } from '../math/objective-fields';

const NAME = 'gspo';

/**
 * GSPO: the sequence ratio s_i = exp(mean_t(ℓ − ℓ_old)) (geometric mean of the token ratios) replaces
 * the token ratio in the clipped surrogate; defined with seq-mean-token-mean aggregation.
 */
export const gspo = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'GSPO: clipped surrogate on the length-normalised sequence importance ratio',
  paper: { title: 'Group Sequence Policy Optimization', arxiv: '2507.18071', section: '§4 (ratio), §5.1 (ε = 3e-4 / 4e-4)' },
  options: z
    .object({
      /** Lower clip 1 − epsLow on the sequence ratio (paper §5.1: 3e-4). */
      epsLow: z.number().positive().default(3e-4),
      /** Upper clip 1 + epsHigh (paper §5.1: 4e-4). */
      epsHigh: z.number().positive().default(4e-4),
      /**
       * `token` (default, GSPO-token form as in verl): log s_it = sg(log s_i) + ℓ_it − sg(ℓ_it), value s_i,
       * gradient s_i·∇ℓ_it. `sequence` (OpenRLHF): s_i with its own gradient (1/|y_i|)·Σ_t s_i·∇ℓ_it.
       * With a sequence-constant advantage and seq-mean-token-mean both give the same loss and gradient.
       */
      ratioForm: z.enum(['token', 'sequence']).default('token'),
      /** log s is clamped from above at this value (verl: 10). */
      logRatioMax: z.number().positive().default(10),
      rolloutCorrection: rolloutCorrectionField,
    })
    .strict(),
  create: (o) => ({
    requiredAggregation: 'seq-mean-token-mean',
    perToken(input) {
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const seqLog = broadcastRows(rowMeans(tf.sub(clean.logProbs, clean.oldLogProbs) as tf.Tensor2D, clean.mask), clean.mask);
        const tokenLog =
          o.ratioForm === 'token' ? tf.add(stopGradient(seqLog), tf.sub(clean.logProbs, stopGradient(clean.logProbs))) : seqLog;
        const ratio = tf.exp(tf.minimum(tokenLog, o.logRatioMax)) as tf.Tensor2D;
        const s = clippedSurrogate(ratio, clean.advantages, 1 - o.epsLow, 1 + o.epsHigh, null);
        const metrics: Record<string, number> = {
          ...surrogateMetrics(NAME, clean, { clipped: s.clipped }),
        };
        const loss = applyRolloutCorrection(NAME, tf.mul(s.loss, clean.mask) as tf.Tensor2D, o.rolloutCorrection, input, clean, metrics);
        return { perToken: loss, metrics };
      });
    },
  }),
});
