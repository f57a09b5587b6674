import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { maskedLoss, safeDivisor } from '../math/aggregate';

/**
 * (1/N_seq) Σ_b (Σ_t L·m / |y_b|): each sequence's token mean, averaged over the mini-batch's sequences.
 * |y_b| is the row's own token count, so it is the same in any micro-batch holding the row.
 */
export const seqMeanTokenMean = definePlugin({
  kind: 'aggregation',
  name: 'seq-mean-token-mean',
  summary: 'Token mean per sequence, then mean over the sequences of the mini-batch (original GRPO)',
  paper: { title: 'DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models', arxiv: '2402.03300', section: 'GRPO objective, eq. 3' },
  options: z.object({}).strict(),
  create: () => ({
    aggregate(input) {
      return tf.tidy(() => {
        const { loss, mask } = maskedLoss(input);
        const perRow = tf.div(tf.sum(loss, 1), tf.maximum(tf.sum(mask, 1), 1));
        return tf.div(tf.sum(perRow), safeDivisor(input.counts.sequences)) as tf.Scalar;
      });
    },
  }),
});
