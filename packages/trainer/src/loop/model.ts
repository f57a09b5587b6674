import type * as tf from '@tensorflow/tfjs-core';

/** What the update needs of a policy model (`CausalLM` from @tirl/policy satisfies it). */
export interface TrainableModel {
  /** `[B, T]` log π(ids[t] | ids[<t]) (0 at t = 0), differentiable; entropies when asked. */
  logProbs(
    ids: tf.Tensor2D,
    attentionMask: tf.Tensor2D,
    options?: { entropy?: boolean },
  ): { logProbs: tf.Tensor2D; entropies?: tf.Tensor2D };
  /** Weights by checkpoint (Hugging Face) name. */
  namedWeights(): Map<string, tf.Variable>;
  /** What training updates, by checkpoint name (LoRA: only the adapters); default `namedWeights()`. */
  trainableWeights?(): Map<string, tf.Variable>;
  /** Set while gradients are computed (turns on LoRA dropout). */
  training?: boolean;
}
