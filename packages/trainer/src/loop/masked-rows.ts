import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '@tirl/core';

/**
 * Rows a filter masked (`meta.masked`, e.g. void or overlong trajectories) keep their place in group
 * statistics but train nothing. A masked root masks its whole multi-agent rollout: its workers (rows with
 * that `rootId`) carry the root's broadcast advantage and would otherwise still be trained on it.
 * Returns `advantages` itself when no row is masked, else a new tensor (and disposes `advantages`).
 */
export function zeroMaskedRows(batch: Pick<Batch, 'trajectories'>, advantages: tf.Tensor2D): tf.Tensor2D {
  const maskedRoots = new Set(batch.trajectories.filter((t) => t?.meta?.masked && t.parentId === undefined).map((t) => t!.id));
  const keep = batch.trajectories.map((t) => (t?.meta?.masked || (t && maskedRoots.has(t.rootId)) ? 0 : 1));
  if (keep.every((k) => k === 1)) return advantages;
  const out = tf.tidy(() => tf.mul(advantages, tf.tensor2d(keep, [keep.length, 1])) as tf.Tensor2D);
  advantages.dispose();
  return out;
}
