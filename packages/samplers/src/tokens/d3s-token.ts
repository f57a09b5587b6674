import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { scheduleSchema, scheduleValue } from '../util/schedule';
import { d3sTokenMask } from './select';

/**
 * D³S token level: after advantages, keep the top ρ_t of trained tokens by |A_{i,t}|·H_{i,t} (old-policy
 * entropy) and drop the rest from the loss (and from the aggregation denominators); ρ_t grows from an
 * aggressive start to 1 over training. Advantages on trained tokens pass through unchanged.
 */
export const d3sToken = definePlugin({
  kind: 'advantageTransform',
  name: 'd3s-token',
  summary: 'D³S token-level down-sampling: train only the top ρ of tokens by |advantage|·entropy, ρ growing to 1 over training',
  paper: {
    title: 'Learning More with Less: A Dynamic Dual-Level Down-Sampling Framework for Efficient Policy Optimization',
    arxiv: '2509.22115',
    section: 'token-level down-sampling (score |A|·H; schedule endpoints and scope unverified)',
  },
  requires: ['entropies'],
  options: z
    .object({
      /** ρ: share of trained tokens kept, from `start` (aggressive) to `end` (1 = every token). */
      fraction: scheduleSchema.default({ start: 0.5, end: 1, steps: 100, shape: 'linear' }),
      /** Where the top ρ is taken: over the whole batch, or within each sequence. */
      scope: z.enum(['batch', 'sequence']).default('batch'),
    })
    .strict()
    .refine((o) => o.fraction.start > 0 && o.fraction.end > 0, { path: ['fraction'], message: 'start and end must be > 0 (ρ = 0 would train nothing)' }),
  create(options) {
    return {
      transform({ advantages, entropies, batch, step }) {
        if (!entropies) throw new Error('advantageTransform/d3s-token: needs entropies (the trainer provides them when a plugin requires "entropies")');
        const rho = scheduleValue(options.fraction, step ?? 0);
        const tokenMask = rho >= 1 ? tf.tidy(() => tf.cast(tf.greater(batch.lossMask, 0), 'float32') as tf.Tensor2D) : d3sTokenMask(advantages, entropies, batch.lossMask, rho, options.scope === 'sequence');
        const kept = Array.from(tokenMask.dataSync()).reduce((a, b) => a + b, 0);
        const total = batch.lossMaskValues.reduce((a, b) => a + b, 0);
        return {
          // Unchanged on trained tokens; 0 elsewhere (the kind's contract).
          advantages: tf.tidy(() => tf.mul(advantages, batch.lossMask) as tf.Tensor2D),
          tokenMask,
          metrics: { 'advantageTransform/d3s-token/fraction': rho, 'advantageTransform/d3s-token/kept_tokens': kept, 'advantageTransform/d3s-token/dropped_tokens': total - kept },
        };
      },
    };
  },
});
