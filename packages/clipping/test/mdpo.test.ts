import * as tf from '@tensorflow/tfjs-core';
import { parseOptions, type Regularizer } from '@tirl/core';
import { testPluginContext } from '@tirl/core/testing';
import { mdpoCoefficient, mdpoKl, mdpoKlOffPolicy } from '../src';
import { registerTfjsGradients } from './gradient-registry';
import { disposeInput, objectiveInput } from './helpers';

registerTfjsGradients();

/**
 * Worked example (method notes §4.1, by hand): ℓ = −1.0, ℓ_old = −1.2 → r = e^{0.2} = 1.2214028,
 * kl = r·log r − r + 1 = 1.2214028·0.2 − 1.2214028 + 1 = 0.0228778. With K = 100 (paper schedule
 * t_k = 1 − k/K): k = 0 → 1/t = 1 → 0.0228778; k = 50 → 1/t = 2 → 0.0457556; k = 90 → 1/t = 10 → 0.2287779.
 * Gradient ∂/∂ℓ = r·log r / t = 0.2442806 / t → 2.4428055 at k = 90. The second token is off the mask.
 */
const example = { logProbs: [[-1.0, -3]], oldLogProbs: [[-1.2, -1]], advantages: [[0.5, 0.5]], lossMask: [[1, 0]] };

function create(def: typeof mdpoKl | typeof mdpoKlOffPolicy, options: Record<string, unknown>, settings: Record<string, unknown> = { steps: 100 }): Regularizer {
  return def.create(parseOptions(def.id, def.options, options) as never, testPluginContext(def.id, settings)) as Regularizer;
}

function value(reg: Regularizer, extra: Record<string, number[][]> = {}): number[] {
  const input = { ...objectiveInput(example), ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, tf.tensor2d(v)])) };
  try {
    const out = reg.perToken!(input);
    const v = out.perToken.arraySync()[0];
    out.perToken.dispose();
    return v;
  } finally {
    disposeInput(input);
    tf.dispose(Object.keys(extra).map((k) => (input as unknown as Record<string, tf.Tensor>)[k]));
  }
}

describe('regularizer/mdpo-kl (on-policy MDPO)', () => {
  it('anneals 1/t_k with the iterations done (paper schedule, K = settings.steps)', () => {
    const reg = create(mdpoKl, {});
    expect(value(reg)[0]).toBeCloseTo(0.0228778, 6);
    expect(value(reg)[1]).toBe(0);
    reg.update!({ step: 49 });
    expect(value(reg)[0]).toBeCloseTo(0.0457556, 6);
    reg.update!({ step: 89 });
    expect(value(reg)[0]).toBeCloseTo(0.2287779, 6);
    expect(reg.state!()).toEqual({ iterations: 90 });
  });

  it('gradient r·log r / t_k: 2.4428055 at k = 90, 0 off the mask', () => {
    const reg = create(mdpoKl, {});
    reg.loadState!({ iterations: 90 });
    const input = objectiveInput(example);
    const g = tf.grad((lp: tf.Tensor) => tf.sum(reg.perToken!({ ...input, logProbs: lp as tf.Tensor2D }).perToken))(input.logProbs);
    const [row] = g.arraySync() as number[][];
    expect(row[0]).toBeCloseTo(2.4428055, 5);
    expect(row[1]).toBe(0);
    g.dispose();
    disposeInput(input);
  });

  it("code schedule t_k = 1 − (k − 1)/K: at k = 0, 1/t = 1/1.01 → 0.0228778/1.01 = 0.0226513", () => {
    expect(value(create(mdpoKl, { schedule: 'code' }))[0]).toBeCloseTo(0.0226513, 6);
  });

  it('never divides by t = 0: k is held at K − 1 (1/t = K)', () => {
    expect(mdpoCoefficient('paper', 100, 100, 1)).toBeCloseTo(100, 10);
    expect(mdpoCoefficient('paper', 250, 100, 1)).toBeCloseTo(100, 10);
  });

  it('names iterations when the run has no steps to anneal over', () => {
    expect(() => create(mdpoKl, {}, {})).toThrow(/regularizer\/mdpo-kl: iterations is not set/);
    expect(value(create(mdpoKl, { iterations: 100 }, {}))[0]).toBeCloseTo(0.0228778, 6);
  });
});

describe('regularizer/mdpo-kl-off-policy', () => {
  it('KL to the step-start policy, importance-weighted from the behaviour policy (constant 1/t = 1)', () => {
    // ℓ = −1.0, ℓ_prox = −1.1, ℓ_behav = −1.2: u = e^{0.1} = 1.1051709, u·log u − u + 1 = 0.0053462,
    // w = π_prox/π_behav = e^{0.1} = 1.1051709 → 0.0059084.
    const reg = create(mdpoKlOffPolicy, {});
    expect(value(reg, { proximalLogProbs: [[-1.1, -1]] })[0]).toBeCloseTo(0.0053462 * 1.1051709, 6);
  });

  it('fails without proximal log-probs, naming them', () => {
    expect(() => value(create(mdpoKlOffPolicy, {}))).toThrow(/needs proximalLogProbs/);
  });
});
