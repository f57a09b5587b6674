import type * as tf from '@tensorflow/tfjs-core';
import { TirlError } from '@tirl/core';
import type { AdamW } from '../optim/adamw';
import { clipByGlobalNorm, disposeGrads, globalNorm } from '../optim/gradients';
import type { TrainerSettings } from '../settings';

export interface GuardedUpdate {
  /** Non-finite updates in a row, this one included. */
  nonFiniteInARow: number;
  /** Set when the update was applied: the pre-clip gradient norm and the learning rate used. */
  applied?: { norm: number; lr: number };
}

/**
 * One optimizer update with the trainer's guard: a non-finite loss or gradient skips the update (counted
 * in `metrics['update/skipped_non_finite']`) and stops the run after `maxNonFiniteUpdates` in a row;
 * otherwise the gradients are clipped by global norm and applied (the optimizer consumes them).
 */
export function guardedUpdate(o: {
  grads: Map<string, tf.Tensor>;
  loss: number;
  weights: ReadonlyMap<string, tf.Variable>;
  optimizer: AdamW;
  learningRate: () => number;
  settings: Pick<TrainerSettings, 'maxGradNorm' | 'maxNonFiniteUpdates'>;
  nonFiniteInARow: number;
  metrics: Record<string, number>;
  /** What to tell the user when the run stops (after the count and the values). */
  advice: string;
}): GuardedUpdate {
  const norm = globalNorm(o.grads);
  if (!Number.isFinite(o.loss) || !Number.isFinite(norm)) {
    const nonFiniteInARow = o.nonFiniteInARow + 1;
    o.metrics['update/skipped_non_finite'] = (o.metrics['update/skipped_non_finite'] ?? 0) + 1;
    disposeGrads(o.grads);
    if (nonFiniteInARow >= o.settings.maxNonFiniteUpdates) {
      throw new TirlError(`Stopping: ${nonFiniteInARow} updates in a row had a non-finite loss or gradient (loss ${o.loss}, grad norm ${norm}). ${o.advice}`, 'invalid-data');
    }
    return { nonFiniteInARow };
  }
  clipByGlobalNorm(o.grads, norm, o.settings.maxGradNorm);
  const lr = o.learningRate();
  o.optimizer.apply(o.weights, o.grads, lr);
  return { nonFiniteInARow: 0, applied: { norm, lr } };
}
