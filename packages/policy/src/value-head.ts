import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@tirl/core';
import type { CausalLM } from './model';
import { linear } from './ops';

/** A scalar value per position read from the policy's final hidden states (for PPO / GAE). */
export interface ValueHead {
  /** `[B, T]` values; position t estimates the return from token t on. Differentiable. */
  values(ids: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor2D;
  /** `v_head.weight [1, H]` and `v_head.bias [1]`. */
  namedWeights(): Map<string, tf.Variable>;
  /** The head's own variables (add `model.trainableVariables()` to train the trunk too). */
  trainableVariables(): tf.Variable[];
  dispose(): void;
}

/** A linear value head `[H] → 1` on top of `model`'s hidden states; weights ~ N(0, std²), bias 0. */
export function createValueHead(model: CausalLM, options: { seed?: number; std?: number } = {}): ValueHead {
  const H = model.config.hiddenSize;
  const rng = new Rng(options.seed ?? 0);
  const std = options.std ?? 1 / Math.sqrt(H);
  const weight = tf.variable(tf.tensor2d(Float32Array.from({ length: H }, () => rng.normal() * std), [1, H]));
  const bias = tf.variable(tf.zeros([1]));
  return {
    values(ids, attentionMask) {
      return tf.tidy(() => {
        const [B, T] = ids.shape;
        const h = tf.reshape(model.hiddenStates(ids, attentionMask), [B * T, H]) as tf.Tensor2D;
        return tf.reshape(linear(h, weight as tf.Tensor2D, bias as tf.Tensor1D), [B, T]) as tf.Tensor2D;
      });
    },
    namedWeights: () => new Map([['v_head.weight', weight], ['v_head.bias', bias]]),
    trainableVariables: () => [weight, bias],
    dispose: () => tf.dispose([weight, bias]),
  };
}
