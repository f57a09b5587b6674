import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { maskedLoss, safeDivisor } from '../math/aggregate';

/**
 * Dr. GRPO: Σ_{b,t} L·m / K with a constant K, so neither the sequence length nor the group's lengths
 * rescale a token's gradient. verl divides by K only (default here); TRL's `dr_grpo` divides by
 * N_seq·K (`divideBySequences: true`); the two differ by a learning-rate rescale.
 */
export const seqMeanTokenSumNorm = definePlugin({
  kind: 'aggregation',
  name: 'seq-mean-token-sum-norm',
  summary: 'Dr. GRPO: sum of token losses divided by a constant length (no per-sequence length normalisation)',
  paper: { title: 'Understanding R1-Zero-Like Training: A Critical Perspective', arxiv: '2503.20783', section: '§3.2 Dr. GRPO' },
  options: z
    .object({
      /**
       * The constant K: a number (e.g. the maximum response length, as the paper recommends) or
       * `max-length` (default, verl's fallback): the batch's padded length `counts.maxLength`, which
       * changes from batch to batch.
       */
      divisor: z.union([z.number().positive(), z.literal('max-length')]).default('max-length'),
      /** Also divide by the number of sequences (TRL `dr_grpo`). verl does not (default). */
      divideBySequences: z.boolean().default(false),
    })
    .strict(),
  create: (o) => ({
    aggregate(input) {
      const k = o.divisor === 'max-length' ? safeDivisor(input.counts.maxLength) : o.divisor;
      const n = o.divideBySequences ? safeDivisor(input.counts.sequences) : 1;
      return tf.tidy(() => tf.div(tf.sum(maskedLoss(input).loss), k * n) as tf.Scalar);
    },
  }),
});
