import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { maskedLoss, safeDivisor } from '../math/aggregate';

/** Σ_{b,t} L·m / N_tokens with N_tokens the trained tokens of the whole mini-batch (`counts.tokens`). */
export const tokenMean = definePlugin({
  kind: 'aggregation',
  name: 'token-mean',
  summary: 'Mean over all trained tokens of the mini-batch (DAPO token-level loss, verl default)',
  paper: { title: 'DAPO: An Open-Source LLM Reinforcement Learning System at Scale', arxiv: '2503.14476', section: '§3.3 token-level policy gradient loss' },
  options: z.object({}).strict(),
  create: () => ({
    aggregate(input) {
      return tf.tidy(() => tf.div(tf.sum(maskedLoss(input).loss), safeDivisor(input.counts.tokens)) as tf.Scalar);
    },
  }),
});
