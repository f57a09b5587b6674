import type { AdvantageInput, Batch } from '@tirl/core';
import { lastTrainedIndex, readMatrix, shapeOf } from './batch-views';

/**
 * Per-token rewards `[B, T]` on the host: `tokenRewards[b, t]` (when given) plus the row's scalar score on
 * its last trained token (verl's convention). Off the loss mask and on pad rows the reward is 0, so values
 * there never reach an estimator.
 */
export function tokenRewardMatrix(input: Pick<AdvantageInput, 'batch' | 'scores' | 'tokenRewards'>, scoreOffset?: ArrayLike<number>): Float64Array {
  const { batch, scores } = input;
  const [B, T] = shapeOf(batch);
  const out = new Float64Array(B * T);
  const extra = input.tokenRewards ? readMatrix(input.tokenRewards) : undefined;
  for (let b = 0; b < B; b++) {
    if (batch.rowKinds[b] === 'pad') continue;
    for (let t = 0; t < T; t++) {
      const m = batch.lossMaskValues[b * T + t];
      if (m > 0 && extra) out[b * T + t] = extra[b * T + t];
    }
    const last = lastTrainedIndex(batch, b);
    if (last >= 0) out[b * T + last] += scores[b] - (scoreOffset?.[b] ?? 0);
  }
  return out;
}

/**
 * Discounted reward-to-go over trained tokens only: `G_t = r_t + γ·G_next`, where `G_next` is the return of
 * the next TRAINED token. Masked tokens (tool output, prompt) neither discount nor reset the return and get 0.
 */
export function rewardToGo(batch: Batch, rewards: ArrayLike<number>, gamma: number): Float64Array {
  const [B, T] = shapeOf(batch);
  const out = new Float64Array(B * T);
  for (let b = 0; b < B; b++) {
    if (batch.rowKinds[b] === 'pad') continue;
    let running = 0;
    for (let t = T - 1; t >= 0; t--) {
      if (batch.lossMaskValues[b * T + t] <= 0) continue;
      running = rewards[b * T + t] + gamma * running;
      out[b * T + t] = running;
    }
  }
  return out;
}
