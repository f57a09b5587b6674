import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { maskedFraction, metricKey } from './host';
import { approxKl, type CleanInput } from './objective-input';

export { rolloutCorrectionField } from './rollout-correction';

/** |ℓ − ℓ_old| is clamped to this before exp, so a stale token cannot overflow the ratio (verl: 20). */
export const logRatioClampField = z.number().positive().default(20);

/**
 * The diagnostics every clipped objective reports, under `objective/<name>/...`: `clip_fraction` (share of
 * trained tokens whose ratio was clipped), `dual_clip_fraction` when the objective has a dual clip, and
 * `approx_kl` (k1 estimate E[ℓ_old − ℓ], verl's `ppo_kl`). Host-side numbers; call inside `tf.tidy`.
 */
export function surrogateMetrics(
  name: string,
  clean: CleanInput,
  flags: { clipped?: tf.Tensor; dualClipped?: tf.Tensor } = {},
): Record<string, number> {
  const metrics: Record<string, number> = {};
  if (flags.clipped) metrics[metricKey('objective', name, 'clip_fraction')] = maskedFraction(flags.clipped, clean.mask);
  if (flags.dualClipped) metrics[metricKey('objective', name, 'dual_clip_fraction')] = maskedFraction(flags.dualClipped, clean.mask);
  metrics[metricKey('objective', name, 'approx_kl')] = approxKl(clean);
  return metrics;
}
