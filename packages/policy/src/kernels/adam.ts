import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasKernel, runKernel } from './names';

/** The state tfjs's `AdamOptimizer` keeps (private there; read through this view). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/**
 * tfjs's Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", arXiv:1412.6980, Algorithm 1,
 * with tfjs's placement of ε: `w -= lr · m̂ / (sqrt(v̂) + ε)`) whose update runs as one in-place kernel per
 * variable where the backend has it: no temporaries the size of a weight (the stock update holds about
 * ten). State, `getWeights`/`setWeights` and results match `tf.train.adam`; other backends run the stock update.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const named = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor] as const)
      : Object.entries(variableGradients).map(([name, t]) => [name, t as tf.Tensor] as const);
    const native = hasKernel(FUSED_KERNELS.adamUpdate) && named.every(([name, g]) => g == null || (g.dtype === 'float32' && tf.engine().registeredVariables[name]?.dtype === 'float32'));
    if (!native) {
      super.applyGradients(variableGradients);
      return;
    }
    const s = this as unknown as AdamState;
    const c1 = 1 - s.accBeta1.dataSync()[0];
    const c2 = 1 - s.accBeta2.dataSync()[0];
    named.forEach(([name, gradient], i) => {
      const value = tf.engine().registeredVariables[name];
      s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      if (gradient == null) return;
      const m = s.accumulatedFirstMoment[i].variable;
      const v = s.accumulatedSecondMoment[i].variable;
      for (const x of [value, m, v]) ownData(x);
      const placeholder = runKernel(FUSED_KERNELS.adamUpdate, { w: value, g: gradient, m, v }, {
        lr: s.learningRate, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon, c1, c2, weightDecay: 0,
      }) as tf.Tensor;
      placeholder.dispose();
    });
    tf.tidy(() => {
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.incrementIterations();
  }
}

/** Gives `v` a buffer of its own before an in-place write (a variable may share its data with a clone). */
function ownData(v: tf.Variable): void {
  if (tf.backend().refCount(v.dataId) <= 1) return;
  tf.tidy(() => v.assign(tf.mul(v, tf.scalar(1))));
}
