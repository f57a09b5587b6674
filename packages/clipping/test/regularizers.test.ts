import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, type Regularizer } from '@tirl/core';
import { expectClose, expectNoLeaks, makeTrajectory, runFixtures } from '@tirl/core/testing';
import { entropy, kl, llds } from '../src';
import { registerTfjsGradients } from './gradient-registry';
import { disposeInput, instantiate, type ObjectiveCase, objectiveInput, plainMetrics } from './helpers';

registerTfjsGradients();

const fixture = (name: string) => path.join(__dirname, 'fixtures', `${name}.json`);


function runRegularizer(def: Parameters<typeof instantiate>[0], c: ObjectiveCase) {
  const reg = instantiate<Regularizer>(def, c.options ?? {});
  const input = objectiveInput(c);
  try {
    const out = reg.perToken!(input);
    const result = { perToken: out.perToken.arraySync(), metrics: plainMetrics(out.metrics) };
    out.perToken.dispose();
    return result;
  } finally {
    disposeInput(input);
  }
}

type Partial2D = { options?: Record<string, unknown>; logProbs?: number[][]; refLogProbs?: number[][] };
runFixtures<Partial2D, unknown>(
  'regularizer/kl fixtures',
  fixture('kl'),
  (c) =>
    runRegularizer(kl, {
      options: c.options,
      logProbs: c.logProbs ?? [[-1, -2, 30]],
      refLogProbs: c.refLogProbs ?? [[-1.5, -1, -30]],
      oldLogProbs: [[0, 0, 0]],
      advantages: [[0, 0, 0]],
      lossMask: [[1, 1, 0]],
    }),
  1e-5,
);

runFixtures<{ options: Record<string, unknown>; entropies: number[][]; lossMask: number[][] }, unknown>(
  'regularizer/entropy fixtures',
  fixture('entropy'),
  (c) => runRegularizer(entropy, { ...c, logProbs: [[0, 0, 0]], oldLogProbs: [[0, 0, 0]], advantages: [[0, 0, 0]] }),
  1e-6,
);

runFixtures<{ options: Record<string, unknown> }, unknown>(
  'regularizer/llds fixtures',
  fixture('llds'),
  (c) =>
    runRegularizer(llds, {
      options: c.options,
      oldLogProbs: [[-1, -1, -1, -1, -1, -1]],
      logProbs: [[-1.3, -0.9, 50, -1.2, -0.7, -1.4]],
      advantages: [[1, 0, 5, 1, 1, -1]],
      lossMask: [[1, 1, 0, 1, 1, 1]],
    }),
  1e-6,
);

describe('regularizer/kl', () => {
  it('in the reward: β·kl(ℓ_old, ℓ_ref) on trained tokens only, no loss term', async () => {
    // Prompt token then two policy tokens with ℓ_old = −1; ℓ_ref = [·, −1.5, −0.5] → δ = [·, 0.5, −0.5]; k1·0.1 = [0, 0.05, −0.05].
    const batch = buildBatch([makeTrajectory({ id: 'a', segments: [['prompt', 1], ['policy', 2]], logProb: -1 })]);
    const ref = tf.tensor2d([[9, -1.5, -0.5]]);
    const reg = instantiate<Regularizer>(kl, { placement: 'reward', estimator: 'k1', coef: 0.1 });
    expect(reg.perToken).toBeUndefined();
    const penalty = await expectNoLeaks(() => reg.rewardPenalty!({ batch, refLogProbs: ref }), 'rewardPenalty');
    expectClose(penalty, [[0, 0.05, -0.05]], 1e-6);
    tf.dispose([penalty, ref]);
    batch.dispose();
  });

  it('adaptive β: β·(1 + clip(KL/target − 1, ±0.2)·n/horizon), state round-trips', () => {
    const reg = instantiate<Regularizer>(kl, { controller: 'adaptive', coef: 0.001, targetKl: 0.1, horizon: 10000 });
    // KL/target − 1 = 0.2/0.1 − 1 = 1 → clipped to 0.2; β = 0.001·(1 + 0.2·100/10000) = 0.001002
    reg.update!({ 'regularizer/kl/kl': 0.2, 'regularizer/kl/sequences': 100 });
    expectClose(reg.state!(), { coef: 0.001002 }, 1e-12);
    // 0.05/0.1 − 1 = −0.5 → −0.2; β = 0.001002·(1 − 0.2·100/10000) = 0.001002·0.998 = 0.000999996
    reg.update!({ 'regularizer/kl/kl': 0.05, 'regularizer/kl/sequences': 100 });
    expectClose(reg.state!(), { coef: 0.000999996 }, 1e-12);
    const other = instantiate<Regularizer>(kl, { controller: 'adaptive' });
    other.loadState!(reg.state!());
    expect(other.state!()).toEqual(reg.state!());
    expect(() => other.loadState!({})).toThrow(/regularizer\/kl: state must be/);
  });

  it('the straight-through k3+ takes the gradient of k2 (δ), plain k3 its own (1 − e^−δ)', () => {
    const ref = tf.tensor2d([[-1.5, -1]]);
    const grad = (estimator: string) => {
      const reg = instantiate<Regularizer>(kl, { estimator, coef: 1 });
      const input = objectiveInput({ logProbs: [[-1, -2]], oldLogProbs: [[0, 0]], advantages: [[0, 0]], lossMask: [[1, 1]], refLogProbs: [[-1.5, -1]] });
      const g = tf.grad((lp: tf.Tensor) => tf.sum(reg.perToken!({ ...input, logProbs: lp as tf.Tensor2D }).perToken))(input.logProbs);
      const values = g.arraySync();
      g.dispose();
      disposeInput(input);
      return values;
    };
    // δ = [0.5, −1]
    expectClose(grad('k3+'), [[0.5, -1]], 1e-5);
    // 1 − e^−0.5 = 0.393469; 1 − e^1 = −1.718282
    expectClose(grad('k3'), [[0.393469, -1.718282]], 1e-5);
    ref.dispose();
  });

  it('names the missing refLogProbs', () => {
    const input = objectiveInput({ logProbs: [[-1]], oldLogProbs: [[-1]], advantages: [[1]], lossMask: [[1]] });
    expect(() => instantiate<Regularizer>(kl).perToken!(input)).toThrow(/regularizer\/kl needs refLogProbs/);
    disposeInput(input);
  });
});

describe('regularizer/entropy adaptive coefficient', () => {
  it('rises by step while H ≤ target, falls otherwise, and the bonus pauses above the target', () => {
    const reg = instantiate<Regularizer>(entropy, { coef: 0.01, controller: 'adaptive', target: 0.2, step: 0.005 });
    reg.update!({ 'regularizer/entropy/entropy': 0.1 });
    expectClose(reg.state!(), { coef: 0.015, lastEntropy: 0.1 }, 1e-12);
    reg.update!({ 'regularizer/entropy/entropy': 0.5 });
    expectClose(reg.state!(), { coef: 0.01, lastEntropy: 0.5 }, 1e-12);
    const input = objectiveInput({ logProbs: [[0]], oldLogProbs: [[0]], advantages: [[0]], lossMask: [[1]], entropies: [[0.3]] });
    const out = reg.perToken!(input);
    // last measured 0.5 > 0.2 → no bonus this step
    expectClose(out.perToken, [[0]]);
    expect(plainMetrics(out.metrics)['regularizer/entropy/coef']).toBe(0);
    out.perToken.dispose();
    disposeInput(input);
  });
});
