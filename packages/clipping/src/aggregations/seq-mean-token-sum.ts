import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { maskedLoss, safeDivisor } from '../math/aggregate';

/** (1/N_seq) Σ_b Σ_t L·m, N_seq = non-pad rows with at least one trained token in the mini-batch. */
export const seqMeanTokenSum = definePlugin({
  kind: 'aggregation',
  name: 'seq-mean-token-sum',
  summary: 'Sum of token losses per sequence, averaged over the sequences of the mini-batch',
  paper: { title: 'HybridFlow: A Flexible and Efficient RLHF Framework (verl agg_loss)', arxiv: '2409.19256', section: 'verl core_algos.agg_loss' },
  options: z.object({}).strict(),
  create: () => ({
    aggregate(input) {
      return tf.tidy(() => tf.div(tf.sum(maskedLoss(input).loss), safeDivisor(input.counts.sequences)) as tf.Scalar);
    },
  }),
});
