import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, parseOptions, type AdvantageTransform } from '@tirl/core';
import { makeTrajectory, runAdvantageTransformKit, testPluginContext } from '@tirl/core/testing';
import { d3sToken } from '../src';

runAdvantageTransformKit(d3sToken, { invalid: [{ options: { scope: 'group' }, field: 'scope' }, { options: { fraction: { start: 0 } }, field: 'fraction' }] });

const create = (options: Record<string, unknown>) => d3sToken.create(parseOptions(d3sToken.id, d3sToken.options, options), testPluginContext(d3sToken.id)) as AdvantageTransform;

/** One row: 2 prompt tokens, then 4 trained tokens. */
function oneRow() {
  const t = makeTrajectory({ id: 'a', reward: 1, segments: [['prompt', 2], ['policy', 4]] });
  return buildBatch([t]);
}

describe('advantageTransform/d3s-token', () => {
  it('keeps the top ρ of trained tokens by |A|·H (worked example of the spec)', () => {
    // |A| = [1, 1, 0.5, 0.5] (signs mixed), H = [0.2, 1.0, 2.0, 0.1] on the 4 trained tokens →
    // score = [0.2, 1.0, 1.0, 0.05]; ρ = 0.5 keeps ⌈0.5·4⌉ = 2 tokens: indices 1 and 2 (score 1.0 each),
    // so the mask over [prompt, prompt, t0..t3] is [0, 0, 0, 1, 1, 0] and the token-mean denominator is 2.
    const batch = oneRow();
    const advantages = tf.tensor2d([[0, 0, 1, -1, 0.5, -0.5]]);
    const entropies = tf.tensor2d([[9, 9, 0.2, 1.0, 2.0, 0.1]]);
    const scores = Float32Array.from([1]);
    const out = create({ fraction: { start: 0.5, end: 0.5 } }).transform({ batch, scores, advantages, entropies, step: 0 });
    expect(out.tokenMask!.arraySync()).toEqual([[0, 0, 0, 1, 1, 0]]);
    expect(out.advantages.arraySync()).toEqual([[0, 0, 1, -1, 0.5, -0.5]]);
    expect(out.metrics).toEqual({ 'advantageTransform/d3s-token/fraction': 0.5, 'advantageTransform/d3s-token/kept_tokens': 2, 'advantageTransform/d3s-token/dropped_tokens': 2 });
    tf.dispose([advantages, entropies, out.tokenMask!, out.advantages]);
    batch.dispose();
  });

  it('relaxes on schedule: ρ goes linearly from 0.25 to 1 over 4 steps', () => {
    // step 2 of 4: ρ = 0.25 + 0.75·(2/4) = 0.625 → ⌈0.625·4⌉ = 3 tokens (scores [0.2, 1.0, 1.0, 0.05]: indices 0-2);
    // step 4: ρ = 1 → every trained token.
    const batch = oneRow();
    const advantages = tf.tensor2d([[0, 0, 1, -1, 0.5, -0.5]]);
    const entropies = tf.tensor2d([[0, 0, 0.2, 1.0, 2.0, 0.1]]);
    const plugin = create({ fraction: { start: 0.25, end: 1, steps: 4 } });
    const mid = plugin.transform({ batch, scores: Float32Array.from([1]), advantages, entropies, step: 2 });
    const end = plugin.transform({ batch, scores: Float32Array.from([1]), advantages, entropies, step: 4 });
    expect(mid.tokenMask!.arraySync()).toEqual([[0, 0, 1, 1, 1, 0]]);
    expect(end.tokenMask!.arraySync()).toEqual([[0, 0, 1, 1, 1, 1]]);
    tf.dispose([advantages, entropies, mid.tokenMask!, end.tokenMask!, mid.advantages, end.advantages]);
    batch.dispose();
  });

  it('drops a group whose advantages are all 0 first (its scores are 0)', () => {
    // Row a: |A| = 1 on its 2 tokens, H = 1 → scores 1, 1. Row b (A = 0): scores 0, 0. ρ = 0.5 of 4 → 2 kept: row a's.
    const a = makeTrajectory({ id: 'a', groupId: 'g1', reward: 1, segments: [['prompt', 1], ['policy', 2]] });
    const b = makeTrajectory({ id: 'b', groupId: 'g2', reward: 0, segments: [['prompt', 1], ['policy', 2]] });
    const batch = buildBatch([a, b]);
    const advantages = tf.tensor2d([[0, 1, 1], [0, 0, 0]]);
    const entropies = tf.ones([2, 3]) as tf.Tensor2D;
    const out = create({ fraction: { start: 0.5, end: 0.5 } }).transform({ batch, scores: Float32Array.from([1, 0]), advantages, entropies, step: 0 });
    expect(out.tokenMask!.arraySync()).toEqual([[0, 1, 1], [0, 0, 0]]);
    tf.dispose([advantages, entropies, out.tokenMask!, out.advantages]);
    batch.dispose();
  });
});
