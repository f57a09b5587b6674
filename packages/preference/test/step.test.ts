import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, ensureGradients, parseOptions, type AdvantageEstimator, type ObjectiveInput, type PolicyObjective, type PluginContext, type Regularizer } from '@tirl/core';
import { expectClose, makeTrajectory, runAdvantageKit, runObjectiveKit, runRegularizerKit, testPluginContext } from '@tirl/core/testing';
import { dapoDaObjective, dpoTokenReward, stepValueAdvantage } from '../src';
import { exampleTree } from './trees';

/** A stand-in DPO model: fixed per-token log-probs (`values` row 0 repeated), or −0.5 everywhere. */
function fixedModel(values?: number[]) {
  return {
    logProbs: (ids: tf.Tensor2D) => ({ logProbs: values ? (tf.tile(tf.tensor2d([values]), [ids.shape[0], 1]) as tf.Tensor2D) : (tf.fill(ids.shape, -0.5) as tf.Tensor2D) }),
  };
}

function rto(options: Record<string, unknown>, ctx: PluginContext, values?: number[]): Regularizer {
  return dpoTokenReward.create(parseOptions(dpoTokenReward.id, dpoTokenReward.options, options), { ...ctx, services: { model: fixedModel(values) } }) as Regularizer;
}

runRegularizerKit(dpoTokenReward, { create: (ctx) => rto({}, ctx), invalid: [{ options: { scale: 0 }, field: 'scale' }, { options: { clip: -1 }, field: 'clip' }] });
runObjectiveKit(dapoDaObjective, { invalid: [{ options: { beta: 0 }, field: 'beta' }, { options: { scale: 'log' }, field: 'scale' }] });
runAdvantageKit(stepValueAdvantage);

describe('regularizer/dpo-token-reward (RTO) numbers (derived by hand)', () => {
  it('β₁ = 0.05, c = 0.05', () => {
    // ℓ_dpo = [−0.5, −1.0, −0.2], ℓ_ref = [−0.9, −0.8, −2.0] on the three policy tokens (position 0 is the prompt):
    // β₁(ℓ_dpo − ℓ_ref) = 0.05·[0.4, −0.2, 1.8] = [0.02, −0.01, 0.09] → clamp to ±0.05 → [0.02, −0.01, 0.05].
    // The token reward is the negative of the returned penalty.
    const batch = buildBatch([makeTrajectory({ id: 't', segments: [['prompt', 1], ['policy', 3]] })]);
    const ref = tf.tensor2d([[-7, -0.9, -0.8, -2.0]]);
    const penalty = rto({ scale: 0.05, clip: 0.05 }, testPluginContext(dpoTokenReward.id), [3, -0.5, -1.0, -0.2]).rewardPenalty!({ batch, refLogProbs: ref });
    expectClose(tf.neg(penalty).arraySync(), [[0, 0.02, -0.01, 0.05]], 1e-7);
    tf.dispose([penalty, ref]);
    batch.dispose();
  });
});

describe('objective/dapo-da numbers (derived by hand, β = 0.1)', () => {
  it('two steps in one row: loss and gradient', () => {
    // Row: [prompt, s1, s1, tool, s2, s2]. Step 1: r = (−2 − 3) − (−2.6 − 2.6) = 0.2, A = 0.03 → (0.2 − 0.3)² = 0.01,
    // 0.005 on each of its tokens. Step 2: r = (−4 − 4) − (−3.5 − 4) = −0.5, A = −0.1 → (−0.5 + 1)² = 0.25, 0.125 each.
    // ∂(Σ_k L_k)/∂ℓ_t = 2(r − A/β): −0.2 on step 1's tokens, 1.0 on step 2's; 0 elsewhere.
    ensureGradients();
    const objective = dapoDaObjective.create(parseOptions(dapoDaObjective.id, dapoDaObjective.options, { beta: 0.1 }), testPluginContext(dapoDaObjective.id)) as PolicyObjective;
    const logProbs = tf.tensor2d([[-9, -2, -3, -9, -4, -4]]);
    const base = {
      oldLogProbs: tf.zeros([1, 6]) as tf.Tensor2D,
      refLogProbs: tf.tensor2d([[-1, -2.6, -2.6, -1, -3.5, -4]]),
      advantages: tf.tensor2d([[0, 0.03, 0.03, 0, -0.1, -0.1]]),
      lossMask: tf.tensor2d([[0, 1, 1, 0, 1, 1]]),
    };
    const run = (lp: tf.Tensor2D) => objective.perToken({ ...base, logProbs: lp } as unknown as ObjectiveInput).perToken;
    const perToken = run(logProbs);
    expectClose(perToken.arraySync(), [[0, 0.005, 0.005, 0, 0.125, 0.125]], 1e-6);
    const grad = tf.grad((lp: tf.Tensor) => tf.sum(run(lp as tf.Tensor2D)))(logProbs);
    expectClose(grad.arraySync(), [[0, -0.2, -0.2, 0, 1, 1]], 1e-5);
    tf.dispose([perToken, grad, logProbs, ...Object.values(base)]);
  });
});

describe('advantage/step-value numbers (derived by hand on the example tree)', () => {
  it('A_k = V(s_{k+1}) − V(s_k), with V the mean reward of the leaves below the deepest node', () => {
    // V(offset 2) = mean over the root's leaves (LA 0, LC 0, LD 0, LF 1) = 0.25; V at offsets 5 and 7 (node nB: LC, LD, LF) = 1/3.
    // LA: one step, A = 0 − 0.25 = −0.25. LC: steps at 2 and 5: A = 1/3 − 1/4 = 0.083333, then 0 − 1/3 = −0.333333.
    // LF: steps at 2, 5, 7: 0.083333, 1/3 − 1/3 = 0, 1 − 1/3 = 0.666667.
    const tree = exampleTree();
    const rows = [tree.trajectories[0], tree.trajectories[1], tree.trajectories[3]];
    const batch = buildBatch(rows);
    const estimator = stepValueAdvantage.create({}, testPluginContext(stepValueAdvantage.id)) as AdvantageEstimator;
    const out = estimator.compute({ batch, scores: Float32Array.from(rows, (t) => t.reward ?? 0), trees: [tree] });
    const third = 1 / 3;
    expectClose(out.advantages.arraySync(), [
      [0, 0, -0.25, -0.25, 0, 0, 0, 0],
      [0, 0, third - 0.25, third - 0.25, 0, -third, 0, 0],
      [0, 0, third - 0.25, third - 0.25, 0, 0, 0, 1 - third],
    ], 1e-6);
    out.advantages.dispose();
    batch.dispose();
  });
});
