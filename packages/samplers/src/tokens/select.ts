import * as tf from '@tensorflow/tfjs-core';
import { TirlError } from '@tirl/core';

/**
 * 1 on the `⌈ρ·N⌉` valid tokens with the largest score (ties at the threshold all kept), 0 elsewhere.
 * With `perSequence`, N and the threshold are taken per row.
 *
 * @param scores `[B, T]` float32
 * @param mask `[B, T]` 0/1 valid-token mask
 * @returns `[B, T]` float32 mask (a subset of `mask`)
 */
export function topFractionMask(scores: tf.Tensor2D, mask: tf.Tensor2D, rho: number, perSequence = false): tf.Tensor2D {
  if (!(rho > 0 && rho <= 1)) throw new TirlError(`topFractionMask: rho must be in (0, 1], got ${rho}`, 'invalid-data');
  if (scores.shape.join() !== mask.shape.join()) {
    throw new TirlError(`topFractionMask: scores ${scores.shape} and mask ${mask.shape} must have the same [B, T] shape`, 'invalid-data');
  }
  return tf.tidy(() => {
    const [B, T] = scores.shape;
    const s = scores.dataSync();
    const m = mask.dataSync();
    const thresholds = new Float32Array(B);
    const pick = (values: number[]) => {
      if (values.length === 0) return Infinity;
      values.sort((a, b) => b - a);
      return values[Math.ceil(rho * values.length - 1e-9) - 1];
    };
    if (perSequence) {
      for (let b = 0; b < B; b++) {
        const row: number[] = [];
        for (let t = 0; t < T; t++) if (m[b * T + t] > 0) row.push(s[b * T + t]);
        thresholds[b] = pick(row);
      }
    } else {
      const all: number[] = [];
      for (let i = 0; i < B * T; i++) if (m[i] > 0) all.push(s[i]);
      thresholds.fill(pick(all));
    }
    const thr = tf.tensor2d(thresholds, [B, 1]);
    return tf.mul(tf.cast(tf.greaterEqual(scores, thr), 'float32'), tf.cast(tf.greater(mask, 0), 'float32')) as tf.Tensor2D;
  });
}

/**
 * D³S token level: keep the top ρ fraction of valid tokens by |A|·H.
 *
 * @param advantages `[B, T]`  @param entropies `[B, T]`  @param mask `[B, T]` loss mask
 * @returns `[B, T]` mask to multiply into the loss mask (recompute aggregation denominators after)
 */
export function d3sTokenMask(advantages: tf.Tensor2D, entropies: tf.Tensor2D, mask: tf.Tensor2D, rho: number, perSequence = false): tf.Tensor2D {
  return tf.tidy(() => topFractionMask(tf.mul(tf.abs(advantages), entropies) as tf.Tensor2D, mask, rho, perSequence));
}

/**
 * Top-entropy tokens (the "80/20" rule, ρ = 0.2): keep the valid tokens whose entropy is among the top ρ.
 *
 * @param entropies `[B, T]`  @param mask `[B, T]`
 * @returns `[B, T]` mask
 */
export function topEntropyMask(entropies: tf.Tensor2D, mask: tf.Tensor2D, rho = 0.2): tf.Tensor2D {
  return topFractionMask(entropies, mask, rho, false);
}
