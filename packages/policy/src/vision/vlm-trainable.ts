import type * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '@tirl/core';
import type { CausalLM, LogProbsOptions, LogProbsResult } from '../model';
import type { Idefics3Processor } from './processor';
import { vlmBatchLogProbs } from './vlm-policy';
import type { ImageEncoder, VisionLanguageModel } from './vlm';

/**
 * A vision-language model as the trainer updates it: `batchLogProbs` scores a batch with each
 * trajectory's images at its image-token positions; `trainableWeights` are the decoder's (its adapters
 * under LoRA) plus the tower when it is unfrozen; every name is the upstream checkpoint name.
 */
export class VlmTrainable {
  constructor(
    readonly vlm: VisionLanguageModel,
    readonly processor: Idefics3Processor,
    private readonly decoder: Pick<CausalLM, 'logProbs'> & { dispose?: () => void } = vlm.text,
    private readonly eyes: ImageEncoder = vlm,
  ) {}

  get training(): boolean {
    return this.vlm.text.training;
  }

  set training(on: boolean) {
    this.vlm.text.training = on;
  }

  /** `[B, T]` log-probs of a batch whose trajectories carry their images. */
  batchLogProbs(batch: Pick<Batch, 'ids' | 'attentionMask' | 'trajectories'>, options: LogProbsOptions = {}): LogProbsResult {
    return vlmBatchLogProbs(this.eyes, this.processor, batch, options, this.decoder);
  }

  /** Bare ids carry no images: a vision-language model scores whole batches (`batchLogProbs`). */
  logProbs(_ids: tf.Tensor2D, _attentionMask: tf.Tensor2D): LogProbsResult {
    throw new Error('VlmTrainable.logProbs: a vision-language model scores batches whose trajectories carry the images (batchLogProbs); this path (e.g. offline preference pairs) reads token ids alone and is not supported for vision-language models');
  }

  namedWeights(): Map<string, tf.Variable> {
    return this.vlm.namedWeights();
  }

  trainableWeights(): Map<string, tf.Variable> {
    return this.vlm.trainableWeights();
  }

  /**
   * The KL reference: the decoder's reference (LoRA: the base with adapters off; full fine-tuning: a frozen
   * copy) behind the vision tower as it is now: the tower itself when it is frozen (the default), a frozen
   * copy of it when `trainVision` trains it. Dispose it when done; that frees the copies.
   */
  referenceModel(): VlmTrainable & { dispose(): void } {
    const reference = this.vlm.text.referenceModel();
    const eyes = this.vlm.visionTrains ? this.vlm.frozenVision() : undefined;
    return Object.assign(new VlmTrainable(this.vlm, this.processor, reference, eyes ?? this.vlm), {
      dispose: () => {
        reference.dispose();
        eyes?.dispose();
      },
    });
  }
}
