import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, TirlError } from '@tirl/core';
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
       * The constant K: `generation-budget` (default): the run's maximum response length
       * (`settings.decode.maxNewTokens`, passed in `counts.generationBudget`), as the paper and verl's
       * fallback do; or a number. Never the padded row width, which includes the prompt and would make
       * the loss scale change with prompt length.
       */
      divisor: z.union([z.number().positive(), z.literal('generation-budget')]).default('generation-budget'),
      /** Also divide by the number of sequences (TRL `dr_grpo`). verl does not (default). */
      divideBySequences: z.boolean().default(false),
    })
    .strict(),
  create: (o) => ({
    aggregate(input) {
      const k = o.divisor === 'generation-budget' ? budget(input.counts.generationBudget) : o.divisor;
      const n = o.divideBySequences ? safeDivisor(input.counts.sequences) : 1;
      return tf.tidy(() => tf.div(tf.sum(maskedLoss(input).loss), k * n) as tf.Scalar);
    },
  }),
});

function budget(k: number | undefined): number {
  if (k === undefined || !(k > 0)) {
    throw new TirlError(
      'aggregation/seq-mean-token-sum-norm: divisor "generation-budget" needs counts.generationBudget (the trainer sets it ' +
        'from settings.decode.maxNewTokens); pass it to countBatch, or set the divisor option to a number',
      'missing-input',
    );
  }
  return k;
}
