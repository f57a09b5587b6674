import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, countBatch, type Batch, type LossAggregation, type PolicyObjective } from '@tirl/core';
import { makeTrajectory } from '@tirl/core/testing';
import { ppoClip, seqMeanTokenSumNorm } from '../src';
import { instantiate } from './helpers';

/**
 * Dr. GRPO (arXiv 2503.20783 §3.2) divides the summed token losses by a constant: the generation budget
 * (maximum response length), never the padded row width, which includes the prompt.
 *
 * Two responses: row A has 3 policy tokens with advantage +1, row B 2 policy tokens with advantage −0.5.
 * With logProbs = oldLogProbs the PPO ratio is 1, nothing is clipped, and the per-token loss is −A:
 *   Σ loss = 3·(−1) + 2·(+0.5) = −3 + 1 = −2.
 * Generation budget K = 8 (settings.decode.maxNewTokens): loss = −2 / 8 = −0.25, whatever the prompts.
 * The old default (the padded width T) gave −2 / (2 + 3) = −0.4 under 2-token prompts and
 * −2 / (6 + 3) ≈ −0.222 under 6-token prompts.
 */
const BUDGET = 8;

function batchWithPrompts(promptA: number, promptB: number): Batch {
  return buildBatch([
    makeTrajectory({ id: 'a', segments: [['prompt', promptA], ['policy', 3]] }),
    makeTrajectory({ id: 'b', segments: [['prompt', promptB], ['policy', 2]] }),
  ]);
}

function drGrpoLoss(batch: Batch): number {
  const [B, T] = batch.ids.shape;
  const counts = countBatch(batch.lossMaskValues, [B, T], batch.rowKinds, batch.rootIds, BUDGET);
  const objective = instantiate<PolicyObjective>(ppoClip);
  const aggregation = instantiate<LossAggregation>(seqMeanTokenSumNorm);
  return tf.tidy(() => {
    const perRow = [1, -0.5];
    const advantages = tf.tensor2d(perRow.map((a) => new Array<number>(T).fill(a)));
    const logProbs = batch.oldLogProbs.clone();
    const { perToken } = objective.perToken({ logProbs, oldLogProbs: batch.oldLogProbs, advantages, lossMask: batch.lossMask, counts, batch });
    return aggregation.aggregate({ perToken, lossMask: batch.lossMask, counts, batch }).dataSync()[0];
  });
}

describe('Dr. GRPO divides by the generation budget, not the padded width', () => {
  it('gives −2 / 8 = −0.25 for the same responses under 2-token, 6-token and unequal prompts', () => {
    for (const [pa, pb] of [
      [2, 2],
      [6, 6],
      [1, 9],
    ]) {
      const batch = batchWithPrompts(pa, pb);
      expect(batch.ids.shape[1]).toBe(Math.max(pa + 3, pb + 2));
      expect(drGrpoLoss(batch)).toBeCloseTo(-0.25, 6);
      batch.dispose();
    }
  });

  it('refuses to guess a divisor when no generation budget is given', () => {
    const batch = batchWithPrompts(2, 2);
    const [B, T] = batch.ids.shape;
    const counts = countBatch(batch.lossMaskValues, [B, T], batch.rowKinds, batch.rootIds);
    const aggregation = instantiate<LossAggregation>(seqMeanTokenSumNorm);
    expect(() => aggregation.aggregate({ perToken: batch.lossMask, lossMask: batch.lossMask, counts, batch })).toThrow(/needs counts\.generationBudget/);
    batch.dispose();
  });
});
