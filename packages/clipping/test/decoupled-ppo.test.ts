import * as tf from '@tensorflow/tfjs-core';
import type { PolicyObjective } from '@tirl/core';
import { describePlugin } from '@tirl/core/testing';
import { decoupledPpo, ppoClip } from '../src';
import { disposeInput, instantiate, objectiveInput, plainMetrics } from './helpers';

describePlugin(decoupledPpo, { invalid: [{ options: { behaviourWeightCap: 1 }, field: 'behaviourWeightCap' }, { options: { epsLow: 0 }, field: 'epsLow' }] });

/**
 * One row, three tokens (probabilities, so the ratios are exact):
 *   behaviour π_b = [0.5, 0.5, 0.4], proximal π_p = [0.6, 0.4, 0.9], current π = [0.72, 0.2, 0.9], A = [1, −1, 2].
 *   t1: r = 0.72/0.6 = 1.2 (on the bound), −min(1.2, 1.2) = −1.2; w = 0.6/0.5 = 1.2 → −1.44
 *   t2: r = 0.2/0.4 = 0.5, A < 0: −min(−0.5, −0.8) = 0.8 (clipped); w = 0.4/0.5 = 0.8 → 0.64
 *   t3: r = 1, −2; w = 0.9/0.4 = 2.25 → −4.5; with behaviourWeightCap 2 the token is dropped → 0
 */
const c = {
  logProbs: [[0.72, 0.2, 0.9].map(Math.log)],
  oldLogProbs: [[0.5, 0.5, 0.4].map(Math.log)],
  proximal: [[0.6, 0.4, 0.9].map(Math.log)],
  advantages: [[1, -1, 2]],
  lossMask: [[1, 1, 1]],
};

function run(options: Record<string, unknown>, proximal: number[][]) {
  const input = { ...objectiveInput(c), proximalLogProbs: tf.tensor2d(proximal) };
  const out = instantiate<PolicyObjective>(decoupledPpo, options).perToken(input);
  const result = { perToken: out.perToken.arraySync(), metrics: plainMetrics(out.metrics) };
  out.perToken.dispose();
  input.proximalLogProbs.dispose();
  disposeInput(input);
  return result;
}

describe('objective/decoupled-ppo', () => {
  it('clips against the proximal policy and weights by proximal/behaviour (hand-derived)', () => {
    const out = run({}, c.proximal);
    out.perToken[0].forEach((v, i) => expect(v).toBeCloseTo([-1.44, 0.64, -4.5][i], 5));
    expect(out.metrics['objective/decoupled-ppo/clip_fraction']).toBeCloseTo(1 / 3, 6);
    expect(out.metrics['objective/decoupled-ppo/behaviour_weight_mean']).toBeCloseTo((1.2 + 0.8 + 2.25) / 3, 5);
    expect(out.metrics['objective/decoupled-ppo/dropped_fraction']).toBe(0);
  });

  it('drops tokens whose behaviour weight exceeds the cap', () => {
    const out = run({ behaviourWeightCap: 2 }, c.proximal);
    out.perToken[0].forEach((v, i) => expect(v).toBeCloseTo([-1.44, 0.64, 0][i], 5));
    expect(out.metrics['objective/decoupled-ppo/dropped_fraction']).toBeCloseTo(1 / 3, 6);
  });

  it('is ppo-clip when the rollouts are on-policy (proximal = behaviour)', () => {
    const decoupled = run({}, c.oldLogProbs).perToken;
    const input = objectiveInput(c);
    const ppo = instantiate<PolicyObjective>(ppoClip).perToken(input);
    const reference = ppo.perToken.arraySync();
    ppo.perToken.dispose();
    disposeInput(input);
    decoupled[0].forEach((v, i) => expect(v).toBeCloseTo(reference[0][i], 6));
  });

  it('names the missing proximal log-probs', () => {
    const input = objectiveInput(c);
    expect(() => instantiate<PolicyObjective>(decoupledPpo).perToken(input)).toThrow(/needs proximalLogProbs/);
    disposeInput(input);
  });
});
