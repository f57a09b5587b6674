import * as tf from '@tensorflow/tfjs-core';
import type { LossAggregation, Regularizer } from '@tirl/core';
import { expectClose, runRegularizerKit } from '@tirl/core/testing';
import { nllOnPositive, tokenMean } from '../src';
import { registerTfjsGradients } from './gradient-registry';
import { disposeInput, instantiate, type ObjectiveCase, objectiveInput, plainMetrics } from './helpers';

registerTfjsGradients();

runRegularizerKit(nllOnPositive, {
  exempt: {
    'micro-batch':
      'the selected-token count is that of the micro-batch it sees (THOR dp_actor.py takes the select loss per micro-batch); the global counts carry no count of positive-advantage tokens',
  },
  invalid: [{ options: { coef: -0.01 }, field: 'coef' }, { options: { threshold: 'x' }, field: 'threshold' }],
});

/** The regularizer's per-token values and its token-mean aggregate (THOR's loss_agg_mode). */
function run(c: ObjectiveCase) {
  const reg = instantiate<Regularizer>(nllOnPositive, c.options ?? {});
  const agg = instantiate<LossAggregation>(tokenMean);
  const input = objectiveInput(c);
  try {
    const out = reg.perToken!(input);
    const total = agg.aggregate({ perToken: out.perToken, lossMask: input.lossMask, counts: input.counts, batch: input.batch });
    const result = { perToken: out.perToken.arraySync(), total: total.dataSync()[0], metrics: plainMetrics(out.metrics) };
    tf.dispose([out.perToken, total]);
    return result;
  } finally {
    disposeInput(input);
  }
}

describe('regularizer/nll-on-positive (THOR select loss)', () => {
  it('worked example: selected ℓ = [−0.2, −0.4] → select loss 0.3, weighted by α = 0.01 → 0.003', () => {
    // Row 0: A = [0.5, 0, 0.5, 1e-8] → tokens 0 and 2 are selected (A > 1e-7; 0 and 1e-8 are not).
    // Row 1: A = [−1.5, −1.5, 2, 2] with token 2 untrained and token 3 off the mask: nothing selected.
    // N = 6 trained tokens, P = 2 selected: per token −α·ℓ·N/P = −0.01·ℓ·3 → 0.006 and 0.012.
    // token-mean: (0.006 + 0.012) / 6 = 0.003 = α · (0.2 + 0.4) / 2.
    const r = run({
      logProbs: [
        [-0.2, -1.0, -0.4, -3.0],
        [-2.0, -0.5, 9, 9],
      ],
      oldLogProbs: [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ],
      advantages: [
        [0.5, 0, 0.5, 1e-8],
        [-1.5, -1.5, 2, 2],
      ],
      lossMask: [
        [1, 1, 1, 1],
        [1, 1, 0, 0],
      ],
    });
    expectClose(r.perToken, [
      [0.006, 0, 0.012, 0],
      [0, 0, 0, 0],
    ], 1e-7);
    expect(r.total).toBeCloseTo(0.003, 7);
    expectClose(r.metrics, { 'regularizer/nll-on-positive/selected_fraction': 2 / 6, 'regularizer/nll-on-positive/nll': 0.3 }, 1e-6);
  });

  it('no positive-advantage token: the term is 0', () => {
    const r = run({ logProbs: [[-1, -2]], oldLogProbs: [[0, 0]], advantages: [[0, -1]], lossMask: [[1, 1]] });
    expect([r.perToken, r.total]).toEqual([[[0, 0]], 0]);
  });

  it('its gradient w.r.t. ℓ is −α·N/P on selected tokens (an NLL step toward positive samples)', () => {
    const reg = instantiate<Regularizer>(nllOnPositive, { coef: 0.5 });
    const input = objectiveInput({ logProbs: [[-1, -2, -3]], oldLogProbs: [[0, 0, 0]], advantages: [[1, 1, -1]], lossMask: [[1, 1, 1]] });
    // N = 3, P = 2: d(Σ perToken)/dℓ = −0.5·3/2 = −0.75 on tokens 0 and 1, 0 on token 2.
    const grad = tf.grad((lp: tf.Tensor) => tf.sum(reg.perToken!({ ...input, logProbs: lp as tf.Tensor2D }).perToken))(input.logProbs);
    expectClose(grad.arraySync() as number[][], [[-0.75, -0.75, 0]], 1e-6);
    grad.dispose();
    disposeInput(input);
  });
});
