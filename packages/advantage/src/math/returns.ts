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

/**
 * GAE over trained tokens, walking back from the end: `δ_t = r_t + γ·V_next − V_t`, `A_t = δ_t + γλ·A_next`,
 * where "next" is the next TRAINED token (masked tokens are skipped). After a row's last trained token
 * `V_next` is 0, or, for a row with `bootstrapLast[b]` (T-PPO's unfinished response), that token's own value.
 * Returns the advantages and `returns = A + V`, both 0 off the loss mask and on pad rows.
 */
export function generalisedAdvantages(
  batch: Batch,
  values: ArrayLike<number>,
  rewards: ArrayLike<number>,
  o: { gamma: number; lambda: number },
  bootstrapLast?: readonly boolean[],
): { advantages: Float64Array; returns: Float64Array } {
  const [B, T] = shapeOf(batch);
  const advantages = new Float64Array(B * T);
  const returns = new Float64Array(B * T);
  for (let b = 0; b < B; b++) {
    if (batch.rowKinds[b] === 'pad') continue;
    let nextValue: number | undefined = bootstrapLast?.[b] ? undefined : 0;
    let lastGae = 0;
    for (let t = T - 1; t >= 0; t--) {
      const i = b * T + t;
      if (batch.lossMaskValues[i] <= 0) continue;
      const delta = rewards[i] + o.gamma * (nextValue ?? values[i]) - values[i];
      lastGae = delta + o.gamma * o.lambda * lastGae;
      nextValue = values[i];
      advantages[i] = lastGae;
      returns[i] = lastGae + values[i];
    }
  }
  return { advantages, returns };
}
