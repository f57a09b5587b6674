import * as tf from '@tensorflow/tfjs-core';
import type { AggregationInput } from '@tirl/core';
import { maskOut, validMask } from './tensor';

/**
 * `[B, T]` loss·mask with pad rows and masked positions set to exactly 0 (so NaN or garbage there cannot
 * leak in), and the `[B, T]` valid mask. Call inside `tf.tidy`.
 */
export function maskedLoss(input: AggregationInput): { loss: tf.Tensor2D; mask: tf.Tensor2D } {
  const mask = validMask(input.lossMask, input.batch);
  return { loss: maskOut(input.perToken, mask), mask };
}

/** A divisor from a global count; an empty batch gives a loss of 0 rather than 0/0. */
export function safeDivisor(count: number): number {
  return count > 0 ? count : 1;
}
