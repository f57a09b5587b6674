import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, TirlError } from '@tirl/core';
import { z } from 'zod';
import { maskedLoss, safeDivisor } from '../math/aggregate';

/**
 * MATPO paper normalisation: each full multi-agent rollout (a root and all its workers) is divided by
 * its own generated-token count (planner + workers, `counts.tokensPerRoot`), then the rollouts are
 * averaged: (1/N_roots) Σ_root Σ_{b ∈ root} Σ_t L·m / N_tokens(root). The released MATPO code instead
 * uses a global token mean over planner and worker rows: choose `aggregation/token-mean` for that.
 */
export const rootNormalised = definePlugin({
  kind: 'aggregation',
  name: 'root-normalised',
  summary: 'MATPO: per full multi-agent rollout, divide by planner + worker tokens, then average over roots',
  paper: { title: 'Multi-Agent Tool-Integrated Policy Optimization', arxiv: '2510.04678', section: '§3 J_MATPO normalisation' },
  options: z.object({}).strict(),
  create: () => ({
    aggregate(input) {
      const { rootIds, rowKinds } = input.batch;
      const weights = Array.from(rootIds, (root, b) => {
        if (rowKinds[b] === 'pad') return 0;
        const tokens = input.counts.tokensPerRoot.get(root);
        if (tokens === undefined) {
          throw new TirlError(
            `aggregation/root-normalised: row ${b} has root ${root}, which the global counts do not know. ` +
              'Count the whole mini-batch with countBatch before slicing it into micro-batches.',
            'invalid-data',
          );
        }
        return 1 / safeDivisor(tokens);
      });
      return tf.tidy(() => {
        const perRow = tf.sum(maskedLoss(input).loss, 1);
        return tf.div(tf.sum(tf.mul(perRow, tf.tensor1d(weights))), safeDivisor(input.counts.roots)) as tf.Scalar;
      });
    },
  }),
});
