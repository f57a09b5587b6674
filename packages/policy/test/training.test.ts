import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from '@tirl/core/testing';
import { createTinyModel, createValueHead, embed, matMul } from '../src';
import { maxAbsDiff } from './helpers';

const CONFIG = { vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 };
const IDS = [
  [1, 5, 9, 13, 0, 0],
  [2, 7, 7, 30, 31, 4],
];
const MASK = [
  [1, 1, 1, 1, 0, 0],
  [1, 1, 1, 1, 1, 1],
];

function batch() {
  return { ids: tf.tensor2d(IDS, undefined, 'int32'), mask: tf.tensor2d(MASK) };
}

describe('custom gradients equal tfjs autodiff', () => {
  it('matMul (rank 2 and batched rank 4)', () => {
    for (const [sa, sb] of [
      [[3, 4], [4, 5]],
      [[2, 3, 4, 5], [2, 3, 5, 6]],
    ]) {
      const a = tf.randomNormal(sa, 0, 1, 'float32', 1);
      const b = tf.randomNormal(sb, 0, 1, 'float32', 2);
      const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(matMul(x, y))))([a, b]);
      const theirs = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y))))([a, b]);
      ours.forEach((g, i) => expect(maxAbsDiff(g.arraySync(), theirs[i].arraySync())).toBeLessThan(1e-4));
      tf.dispose([a, b, ...ours, ...theirs]);
    }
  });

  it('embedding lookup (repeated ids accumulate)', () => {
    const table = tf.randomNormal([6, 3], 0, 1, 'float32', 3);
    const ids = tf.tensor1d([0, 4, 4, 2], 'int32');
    const w = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 0, 1]]);
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embed(t as tf.Tensor2D, ids), w)))(table);
    // d/dtable: row 0 ← w[0]; row 4 ← w[1] + w[2]; row 2 ← w[3]; others 0
    expect(ours.arraySync()).toEqual([[1, 2, 3], [0, 0, 0], [1, 0, 1], [0, 0, 0], [11, 13, 15], [0, 0, 0]]);
    tf.dispose([table, ids, w, ours]);
  });
});

describe('training the policy', () => {
  it('log-prob gradients reach every weight, and Adam steps lower the loss without leaking', async () => {
    const model = createTinyModel(CONFIG, 1, { std: 0.1 });
    const { ids, mask } = batch();
    const optimizer = tf.train.adam(0.01);
    const loss = () => tf.tidy(() => tf.neg(tf.div(tf.sum(model.logProbs(ids, mask).logProbs), tf.sum(mask)))) as tf.Scalar;
    const first = loss();
    const initial = first.dataSync()[0];
    first.dispose();
    const { grads } = tf.variableGrads(loss, model.trainableVariables());
    const zeroGrads = Object.entries(grads).filter(([, g]) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) === 0);
    expect(zeroGrads).toEqual([]);
    tf.dispose(Object.values(grads));
    optimizer.minimize(loss, false, model.trainableVariables()); // creates Adam's moment variables
    await expectNoLeaks(() => {
      for (let i = 0; i < 19; i++) {
        const cost = optimizer.minimize(loss, true, model.trainableVariables());
        cost?.dispose();
      }
    }, 'train steps');
    const final = loss();
    expect(final.dataSync()[0]).toBeLessThan(initial - 0.5);
    tf.dispose([final, ids, mask]);
    optimizer.dispose();
    model.dispose();
  });

  it('entropies are the entropy of each predictive distribution (uniform model → log V)', () => {
    const model = createTinyModel(CONFIG, 2, { std: 0 }); // all-zero weights: uniform next-token distribution
    const { ids, mask } = batch();
    const { logProbs, entropies } = model.logProbs(ids, mask, { entropy: true });
    const lnV = Math.log(40);
    expect(maxAbsDiff(logProbs.arraySync(), MASK.map((r) => r.map((m, t) => (t > 0 && m ? -lnV : 0))))).toBeLessThan(1e-5);
    expect(maxAbsDiff(entropies!.arraySync(), MASK.map((r) => r.map((m, t) => (t > 0 && m ? lnV : 0))))).toBeLessThan(1e-5);
    tf.dispose([ids, mask, logProbs, entropies!]);
    model.dispose();
  });

  it('clone({ trainable: false }) is a frozen reference with equal outputs', () => {
    const model = createTinyModel(CONFIG, 3);
    const ref = model.clone({ trainable: false });
    expect(ref.trainableVariables()).toHaveLength(0);
    expect([...ref.namedWeights().keys()]).toEqual([...model.namedWeights().keys()]);
    const { ids, mask } = batch();
    const a = model.logProbs(ids, mask).logProbs;
    const b = ref.logProbs(ids, mask).logProbs;
    expect(maxAbsDiff(a.arraySync(), b.arraySync())).toBe(0);
    tf.dispose([ids, mask, a, b]);
    ref.dispose();
    model.dispose();
  });

  it('value head gives [B, T] values and trains', () => {
    const model = createTinyModel(CONFIG, 4);
    const head = createValueHead(model, { seed: 1 });
    const { ids, mask } = batch();
    const values = head.values(ids, mask);
    expect(values.shape).toEqual([2, 6]);
    expect([...head.namedWeights().keys()]).toEqual(['v_head.weight', 'v_head.bias']);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(head.values(ids, mask))) as tf.Scalar, head.trainableVariables());
    expect(Object.keys(grads)).toHaveLength(2);
    tf.dispose([ids, mask, values, value, ...Object.values(grads)]);
    head.dispose();
    model.dispose();
  });
});
