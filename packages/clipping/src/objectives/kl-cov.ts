import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { countValid, tokenCovariance } from '../math/covariance';
import { metricKey } from '../math/host';
import { cleanInput } from '../math/objective-input';
import { surrogateMetrics } from '../math/objective-fields';

const NAME = 'kl-cov';

/**
 * KL-Cov: unclipped importance-sampled loss −A·r, plus klCoef·|ℓ − ℓ_old| on the top-k tokens by
 * advantage/log-prob covariance, k = max(1, ⌊ratio·N⌋) (ties: lower index first). Covariance and
 * selection use the tokens of the tensor it is given (per micro-batch, as in verl).
 */
export const klCov = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'KL-Cov: unclipped surrogate with a |log r| penalty on the highest-covariance tokens',
  paper: { title: 'The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models', arxiv: '2505.22617', section: 'KL-Cov; verl kl_cov_ratio 2e-4' },
  options: z
    .object({
      /** Fraction of valid tokens penalised (verl: 2e-4). */
      ratio: z.number().gt(0).max(1).default(2e-4),
      /** Penalty coefficient: verl's function falls back to 1.0 when unset (default here); verl's actor.yaml ships 0.1. */
      klCoef: z.number().min(0).default(1),
    })
    .strict(),
  create: (o) => ({
    perToken(input) {
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const d = tf.sub(clean.logProbs, clean.oldLogProbs);
        const base = tf.neg(tf.mul(clean.advantages, tf.exp(d)));
        const mask = clean.mask.dataSync();
        const cov = tokenCovariance(clean.advantages.dataSync(), clean.logProbs.dataSync(), mask);
        const n = countValid(mask);
        const k = n === 0 ? 0 : Math.max(1, Math.floor(o.ratio * n));
        const order = Array.from(cov.keys())
          .filter((i) => mask[i] > 0)
          .sort((x, y) => cov[y] - cov[x] || x - y);
        const selected = new Float32Array(mask.length);
        for (const i of order.slice(0, k)) selected[i] = 1;
        const penalty = tf.mul(tf.mul(o.klCoef, tf.abs(d)), tf.tensor2d(selected, clean.mask.shape));
        return {
          perToken: tf.mul(tf.add(base, penalty), clean.mask) as tf.Tensor2D,
          metrics: {
            [metricKey('objective', NAME, 'penalised_fraction')]: n === 0 ? 0 : k / n,
            ...surrogateMetrics(NAME, clean),
          },
        };
      });
    },
  }),
});
