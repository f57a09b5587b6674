import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { applyRolloutCorrection, cleanInput } from '../math/objective-input';
import { logRatio } from '../math/tensor';
import { logRatioClampField, rolloutCorrectionField, surrogateMetrics } from '../math/objective-fields';

const NAME = 'reinforce';

/**
 * Policy gradient without clipping. Plain: L = −A·ℓ (gradient −A·∇ℓ; GPG, verl `gpg`).
 * Importance-sampled: L = −A·r with r = π/π_old (gradient −A·r·∇ℓ), for off-policy reuse.
 */
export const reinforce = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'Unclipped policy gradient: plain REINFORCE (−A·log π) or importance-sampled (−A·π/π_old)',
  paper: { title: 'Simple statistical gradient-following algorithms for connectionist reinforcement learning (Williams, 1992)', url: 'https://doi.org/10.1007/BF00992696' },
  options: z
    .object({
      /** false: −A·ℓ (on-policy REINFORCE); true: −A·r with the ratio to the behaviour policy. */
      importanceSampling: z.boolean().default(false),
      /** |ℓ − ℓ_old| is clamped to this before exp (verl: 20). */
      logRatioClamp: logRatioClampField,
      rolloutCorrection: rolloutCorrectionField,
    })
    .strict(),
  create: (o) => ({
    perToken(input) {
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const factor = o.importanceSampling
          ? tf.exp(logRatio(clean.logProbs, clean.oldLogProbs, o.logRatioClamp))
          : clean.logProbs;
        const raw = tf.mul(tf.neg(tf.mul(clean.advantages, factor)), clean.mask) as tf.Tensor2D;
        const metrics: Record<string, number> = surrogateMetrics(NAME, clean);
        return { perToken: applyRolloutCorrection(NAME, raw, o.rolloutCorrection, input, clean, metrics), metrics };
      });
    },
  }),
});
