import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { maskedMean, metricKey } from '../math/host';
import { cleanInput } from '../math/objective-input';

const NAME = 'llds';

/**
 * `[B·T]` 0/1 gate per token (host side, no gradient). d = ℓ_old − ℓ; preserved tokens are valid and,
 * with `non-negative-advantage`, have A ≥ 0. `action`: a maximal run of preserved tokens in a row is one
 * chunk, gated on when Σ_chunk d > 0. `response`: the row is gated on when Σ_preserved d > 0.
 */
export function lldsGate(
  d: ArrayLike<number>,
  advantages: ArrayLike<number>,
  mask: ArrayLike<number>,
  shape: readonly [number, number],
  gate: 'action' | 'response',
  preserve: 'non-negative-advantage' | 'all',
): Float32Array {
  const [B, T] = shape;
  const out = new Float32Array(B * T);
  const preserved = (i: number) => mask[i] > 0 && (preserve === 'all' || advantages[i] >= 0);
  for (let b = 0; b < B; b++) {
    if (gate === 'response') {
      let sum = 0;
      for (let t = 0; t < T; t++) if (preserved(b * T + t)) sum += d[b * T + t];
      if (sum > 0) for (let t = 0; t < T; t++) if (preserved(b * T + t)) out[b * T + t] = 1;
      continue;
    }
    let t = 0;
    while (t < T) {
      if (!preserved(b * T + t)) {
        t += 1;
        continue;
      }
      let end = t;
      let sum = 0;
      while (end < T && preserved(b * T + end)) sum += d[b * T + end++];
      if (sum > 0) out.fill(1, b * T + t, b * T + end);
      t = end;
    }
  }
  return out;
}

/**
 * LLDS: a one-sided likelihood-preserving penalty λ·gate·max(0, ℓ_old − ℓ) on preserved tokens whose
 * action (or response) lost likelihood. Zero while ℓ = ℓ_old, so it acts only from the second update on
 * a rollout batch (several mini-batches or PPO epochs). The reference code takes the token mean over
 * all trained tokens: pair it with aggregation/token-mean for parity.
 */
export const llds = definePlugin({
  kind: 'regularizer',
  name: NAME,
  summary: 'LLDS: penalise likelihood decreases of non-negative-advantage actions (lazy likelihood displacement)',
  paper: { title: 'On GRPO Collapse in Search-R1: The Lazy Likelihood-Displacement Death Spiral', arxiv: '2512.04220', section: 'LLDS; reference train_grpo_nqhot.sh (λ 0.2, action gate)' },
  options: z
    .object({
      /** λ (reference script: 0.2). */
      lambda: z.number().min(0).default(0.2),
      /** `action` (default, reference code ISCHUNK=true, best in the paper) or `response` gate. */
      gate: z.enum(['action', 'response']).default('action'),
      /** Tokens protected: A ≥ 0 (reference code, default) or every trained token (the v1 abstract's reading). */
      preserve: z.enum(['non-negative-advantage', 'all']).default('non-negative-advantage'),
    })
    .strict(),
  create: (o) => ({
    perToken(input) {
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const d = tf.sub(clean.oldLogProbs, clean.logProbs);
        const shape = clean.mask.shape as [number, number];
        const gate = lldsGate(d.dataSync(), clean.advantages.dataSync(), clean.mask.dataSync(), shape, o.gate, o.preserve);
        const gated = tf.mul(tf.relu(d), tf.tensor2d(gate, shape));
        const penalty = tf.mul(tf.mul(gated, clean.mask), o.lambda) as tf.Tensor2D;
        const active = Float32Array.from(gate, (g, i) => (g > 0 && d.dataSync()[i] > 0 ? 1 : 0));
        return {
          perToken: penalty,
          metrics: { [metricKey('regularizer', NAME, 'penalised_fraction')]: maskedMean(active, clean.mask.dataSync()) },
        };
      });
    },
  }),
});
