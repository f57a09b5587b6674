import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, type Regularizer, TirlError } from '@tirl/core';
import { z } from 'zod';
import { maskedMeanOf, metricKey } from '../math/host';
import { maskOut, validMask } from '../math/tensor';

const NAME = 'entropy';
const ENTROPY_KEY = metricKey('regularizer', NAME, 'entropy');

/**
 * Entropy bonus −coef·H per token, aggregated with the recipe's aggregation (as verl does).
 * `adaptive` (Skywork-OR1 as in TRL): after each step, coef rises by `step` (up to `maxCoef`) while the
 * measured entropy is at or below `target`, and falls otherwise; the bonus applies only while the last
 * measured entropy is at or below the target.
 */
export const entropy = definePlugin({
  kind: 'regularizer',
  name: NAME,
  summary: 'Entropy bonus on trained tokens, with a fixed or target-driven adaptive coefficient',
  paper: { title: 'Skywork Open Reasoner 1 Technical Report (adaptive entropy control)', arxiv: '2505.22312', section: 'TRL defaults: target 0.2, step 0.005' },
  requires: ['entropies'],
  options: z
    .object({
      /** Coefficient of the bonus (no default in the literature: verl's 0 means "off"); the adaptive controller's start. */
      coef: z.number().min(0),
      controller: z.enum(['fixed', 'adaptive']).default('fixed'),
      /** Adaptive target entropy in nats (TRL: 0.2). */
      target: z.number().positive().default(0.2),
      /** Adaptive step Δ (TRL: 0.005). */
      step: z.number().positive().default(0.005),
      minCoef: z.number().min(0).default(0),
      maxCoef: z.number().positive().default(1),
    })
    .strict()
    .refine((o) => o.minCoef <= o.maxCoef, { message: 'minCoef must not exceed maxCoef', path: ['minCoef'] }),
  create: (o) => {
    let coef = o.coef;
    let lastEntropy: number | null = null;
    const instance: Regularizer = {
      perToken(input) {
        if (!input.entropies) {
          throw new TirlError('regularizer/entropy needs entropies: the trainer must provide them (requires: ["entropies"])', 'missing-input');
        }
        return tf.tidy(() => {
          const mask = validMask(input.lossMask, input.batch);
          const h = maskOut(input.entropies!, mask);
          const measured = maskedMeanOf(h, mask);
          const active = o.controller === 'fixed' || lastEntropy === null || lastEntropy <= o.target;
          lastEntropy = measured;
          return {
            perToken: tf.mul(tf.mul(h, mask), active ? -coef : 0) as tf.Tensor2D,
            metrics: { [ENTROPY_KEY]: measured, [metricKey('regularizer', NAME, 'coef')]: active ? coef : 0 },
          };
        });
      },
      update(metrics) {
        if (o.controller !== 'adaptive') return;
        const measured = metrics[ENTROPY_KEY] ?? lastEntropy;
        if (measured === null || measured === undefined) return;
        lastEntropy = measured;
        coef = measured <= o.target ? Math.min(coef + o.step, o.maxCoef) : Math.max(coef - o.step, o.minCoef);
      },
      state: () => ({ coef, lastEntropy }),
      loadState(state) {
        const s = state as { coef?: unknown; lastEntropy?: unknown };
        if (typeof s?.coef !== 'number') throw new TirlError('regularizer/entropy: state must be { coef: number, lastEntropy }', 'invalid-data');
        coef = s.coef;
        lastEntropy = typeof s.lastEntropy === 'number' ? s.lastEntropy : null;
      },
    };
    return instance;
  },
});
