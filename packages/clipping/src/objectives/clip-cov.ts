import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, type RngState } from '@tirl/core';
import { z } from 'zod';
import { countValid, tokenCovariance } from '../math/covariance';
import { metricKey } from '../math/host';
import { cleanInput } from '../math/objective-input';
import { clippedSurrogate } from '../math/surrogate';
import { surrogateMetrics } from '../math/objective-fields';

const NAME = 'clip-cov';

/**
 * Clip-Cov: PPO clip, then the loss (and so the gradient) of a few randomly chosen tokens with a
 * high advantage/log-prob covariance, lb < cov < ub, is zeroed: min(max(⌊ratio·N⌋, 1), |candidates|)
 * of them, drawn with the plugin's seeded random stream. Covariance and draw use the tokens of the
 * tensor it is given (per micro-batch, as in verl).
 */
export const clipCov = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'Clip-Cov: PPO clip plus gradient detachment of random high-covariance tokens',
  paper: { title: 'The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models', arxiv: '2505.22617', section: 'Clip-Cov; verl clip_cov_ratio 2e-4, lb 1, ub 5' },
  options: z
    .object({
      epsLow: z.number().positive().default(0.2),
      epsHigh: z.number().positive().default(0.2),
      /** Fraction of valid tokens to detach (verl: 2e-4). */
      ratio: z.number().gt(0).max(1).default(2e-4),
      /** Covariance window (lb, ub) of the candidates (verl: 1, 5). */
      lowerBound: z.number().default(1),
      upperBound: z.number().default(5),
    })
    .strict()
    .refine((o) => o.lowerBound < o.upperBound, { message: 'lowerBound must be below upperBound', path: ['upperBound'] }),
  create: (o, ctx) => {
    const rng = ctx.rng;
    return {
      perToken(input) {
        return tf.tidy(() => {
          const clean = cleanInput(input);
          // verl does not clamp the log-ratio for clip-cov.
          const ratio = tf.exp(tf.sub(clean.logProbs, clean.oldLogProbs)) as tf.Tensor2D;
          const s = clippedSurrogate(ratio, clean.advantages, 1 - o.epsLow, 1 + o.epsHigh, null);
          const mask = clean.mask.dataSync();
          const clippedFlags = s.clipped.dataSync();
          const cov = tokenCovariance(clean.advantages.dataSync(), clean.logProbs.dataSync(), mask);
          const candidates: number[] = [];
          cov.forEach((c, i) => {
            if (mask[i] > 0 && clippedFlags[i] === 0 && c > o.lowerBound && c < o.upperBound) candidates.push(i);
          });
          const n = countValid(mask);
          const take = Math.min(Math.max(Math.floor(o.ratio * n), 1), candidates.length);
          const keep = new Float32Array(mask.length).fill(1);
          for (const i of rng.shuffle(candidates).slice(0, take)) keep[i] = 0;
          const loss = tf.mul(tf.mul(s.loss, tf.tensor2d(keep, s.loss.shape)), clean.mask) as tf.Tensor2D;
          return {
            perToken: loss,
            metrics: {
              ...surrogateMetrics(NAME, clean, { clipped: s.clipped }),
              [metricKey('objective', NAME, 'detached_fraction')]: n === 0 ? 0 : take / n,
            },
          };
        });
      },
      state: () => ({ rng: rng.state() }),
      loadState: (state: unknown) => rng.setState((state as { rng: RngState }).rng),
    };
  },
});
