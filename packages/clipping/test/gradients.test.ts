import * as tf from '@tensorflow/tfjs-core';
import type { PolicyObjective } from '@tirl/core';
import { expectClose } from '@tirl/core/testing';
import { cispo, ppoClip, sapo } from '../src';
import { registerTfjsGradients } from './gradient-registry';
import { disposeInput, instantiate, type ObjectiveCase, objectiveInput } from './helpers';

registerTfjsGradients();

/** ∂(Σ perToken)/∂ℓ through tf.grad. */
function gradient(def: Parameters<typeof instantiate>[0], c: ObjectiveCase): number[][] {
  const objective = instantiate<PolicyObjective>(def, c.options ?? {});
  const input = objectiveInput(c);
  const g = tf.grad((lp: tf.Tensor) => tf.sum(objective.perToken({ ...input, logProbs: lp as tf.Tensor2D }).perToken))(input.logProbs);
  const values = g.arraySync() as number[][];
  g.dispose();
  disposeInput(input);
  return values;
}

// ℓ_old = −1 and ℓ = −1 + ln r for r = [1.1, 1.5, 0.5, 0.5, 4]
const logProbs = [[-0.90468982, -0.594534892, -1.693147181, -1.693147181, 0.386294361]];
const base = { oldLogProbs: [[-1, -1, -1, -1, -1]], logProbs, lossMask: [[1, 1, 1, 1, 1]] };

describe('gradients w.r.t. log-probs against the closed forms', () => {
  it('ppo-clip: −A·r where the unclipped term is active, 0 where clipped or dual-clipped', () => {
    const advantages = [[1, 1, 1, -2, -2]];
    // bounds [0.8, 1.2], dual clip c = 3:
    // r = 1.1, A = 1: unclipped → −1·1.1 = −1.1
    // r = 1.5, A = 1: clipped at 1.2 → 0
    // r = 0.5, A = 1: −A·r = −0.5 > −A·0.8 = −0.8 → unclipped → −0.5
    // r = 0.5, A = −2: L1 = 1.0 < L2 = 1.6 → clipped → 0
    // r = 4, A = −2: L1 = 8 > dual cap 6 → dual-clipped → 0
    expectClose(gradient(ppoClip, { ...base, advantages, options: { dualClipC: 3 } }), [[-1.1, 0, -0.5, 0, 0]], 1e-5);
    // without the dual clip the last token is unclipped: −A·r = 2·4 = 8
    expectClose(gradient(ppoClip, { ...base, advantages })[0][4], 8, 1e-4);
  });

  it('cispo: −w·A with w = clip(r, 1 − 10, 1.2), also at clipped tokens', () => {
    const advantages = [[1, 1, 1, -2, -2]];
    // w = [1.1, 1.2 (clipped), 0.5, 0.5, 1.2 (clipped)] → −w·A = [−1.1, −1.2, −0.5, 1.0, 2.4]
    expectClose(gradient(cispo, { ...base, advantages }), [[-1.1, -1.2, -0.5, 1, 2.4]], 1e-5);
  });

  it('sapo: −A·4σ(τ(r−1))(1 − σ)·r', () => {
    const advantages = [[1, 1, 1, -1, -1]];
    // A > 0 → τ = 1; A < 0 → τ = 1.05.
    // r = 1.1: σ(0.1) = 0.524979, 4·0.524979·0.475021 = 0.997502; ·1.1 → −1.097252
    // r = 1.5: σ(0.5) = 0.622459, 4·0.622459·0.377541 = 0.940015; ·1.5 → −1.410022
    // r = 0.5: σ(−0.5): weight 0.940015; ·0.5 → −0.470007
    // r = 0.5, A = −1, τ = 1.05: σ(−0.525) = 0.371686, 4·0.371686·0.628314 = 0.934140; ·0.5 → +0.467070
    // r = 4, A = −1: σ(3.15) = 0.958909, 4·0.958909·0.041091 = 0.157611; ·4 → +0.630445
    expectClose(gradient(sapo, { ...base, advantages }), [[-1.097252, -1.410022, -0.470007, 0.46707, 0.630445]], 1e-5);
    // at r = 1 the gradient is the plain policy gradient −A
    const onPolicy = { oldLogProbs: [[-1, -1]], logProbs: [[-1, -1]], lossMask: [[1, 1]], advantages: [[2, -3]] };
    expectClose(gradient(sapo, onPolicy), [[-2, 3]], 1e-5);
  });
});
