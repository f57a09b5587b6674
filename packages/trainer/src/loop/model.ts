import type * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '@tirl/core';

/** What the update needs of a policy model (`CausalLM` from @tirl/policy satisfies it). */
export interface TrainableModel {
  /** `[B, T]` log π(ids[t] | ids[<t]) (0 at t = 0), differentiable; entropies when asked. */
  logProbs(
    ids: tf.Tensor2D,
    attentionMask: tf.Tensor2D,
    options?: { entropy?: boolean },
  ): { logProbs: tf.Tensor2D; entropies?: tf.Tensor2D };
  /**
   * The same for a whole batch, when the model reads more than the ids: a vision-language model places
   * each trajectory's images at its image-token positions (`VlmTrainable` from @tirl/policy).
   */
  batchLogProbs?(batch: Pick<Batch, 'ids' | 'attentionMask' | 'trajectories'>, options?: { entropy?: boolean }): { logProbs: tf.Tensor2D; entropies?: tf.Tensor2D };
  /** Weights by checkpoint (Hugging Face) name. */
  namedWeights(): Map<string, tf.Variable>;
  /** What training updates, by checkpoint name (LoRA: only the adapters); default `namedWeights()`. */
  trainableWeights?(): Map<string, tf.Variable>;
  /** Set while gradients are computed (turns on LoRA dropout). */
  training?: boolean;
}

/** Log-probs of a batch's rows under `model`, through `batchLogProbs` when the model has it. */
export function batchLogProbs(
  model: Pick<TrainableModel, 'logProbs' | 'batchLogProbs'>,
  batch: Pick<Batch, 'ids' | 'attentionMask' | 'trajectories'>,
  options?: { entropy?: boolean },
): { logProbs: tf.Tensor2D; entropies?: tf.Tensor2D } {
  return model.batchLogProbs ? model.batchLogProbs(batch, options) : model.logProbs(batch.ids, batch.attentionMask, options);
}
