import type { Batch, ChatMessage, EncodedChat, PolicyGenerator, SegmentImage, Trajectory } from '@tirl/core';
import { segmentImagePixels } from '@tirl/core';
import type { CausalLM, LogProbsOptions, LogProbsResult } from '../model';
import { KvSession, type PolicyOptions, type SessionImages } from '../policy';
import type { HfTokenizer } from '../tokenizer/hf';
import type { RgbImage } from './image';
import type { Idefics3Processor, ProcessedImage } from './processor';
import { buildVlmPrompt, type ImageEncoder, type VisionLanguageModel, type VlmMessage } from './vlm';

/** A {@link SegmentImage} as an {@link RgbImage}. */
export function rgbOf(image: SegmentImage): RgbImage {
  return { width: image.width, height: image.height, data: segmentImagePixels(image) };
}

/**
 * A vision-language model as the rollout engine sees it: sessions whose rows take images (prompt images
 * through `add(ids, images)`, tool images through `appendImage`), with the image features entering the
 * KV cache with their tokens.
 */
export class VlmPolicy implements PolicyGenerator {
  readonly maxContext: number;

  constructor(
    readonly model: VisionLanguageModel,
    readonly processor: Idefics3Processor,
    readonly tokenizer: HfTokenizer,
    options: PolicyOptions = {},
  ) {
    this.maxContext = options.maxContext ?? model.config.text.maxPositionEmbeddings;
  }

  /** Token ids one image costs in a prompt or observation (markers included) and its processed frames. */
  imageTokens(image: SegmentImage): { ids: number[]; processed: ProcessedImage } {
    const processed = this.processor.processImage(rgbOf(image));
    return { ids: this.tokenizer.encode(this.processor.imagePrompt(processed.rows, processed.cols)), processed };
  }

  /**
   * Renders chat messages in the model's own chat template, each message's `images` as image parts
   * before its text (the Hugging Face multimodal message form), and tokenises with every image expanded
   * into its markers and `<image>` runs. What the rollout engine adds as a prompt row with its images.
   */
  encodeChat(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean } = {}): EncodedChat {
    const images = messages.flatMap((m) => m.images ?? []);
    const parts: VlmMessage[] = messages.map((m) => ({
      role: m.role,
      content: [...(m.images ?? []).map(() => ({ type: 'image' as const })), { type: 'text' as const, text: m.content }],
    }));
    const prompt = buildVlmPrompt(this.tokenizer, this.processor, parts, images.map(rgbOf), { addGenerationPrompt: options.addGenerationPrompt ?? true });
    return { ids: prompt.ids, text: prompt.text, images };
  }

  startSession(): KvSession {
    const support: SessionImages = {
      imageTokenId: this.model.config.imageTokenId,
      cost: (image) => this.imageTokens(image).ids.length,
      encode: (image) => {
        const { ids, processed } = this.imageTokens(image);
        return { ids, features: this.model.imageFeatures([processed]) };
      },
      features: (images) => this.model.imageFeatures(images.map((im) => this.processor.processImage(rgbOf(im)))),
    };
    return new KvSession(this.model.text, this.tokenizer, this.maxContext, support);
  }
}

/**
 * Log-probs of a training batch under a vision-language model: the `<image>` positions inside each
 * trajectory's image-carrying (prompt / tool) segments take the features of that segment's images. Image
 * tokens sit outside the loss mask (core's `buildBatch` refuses images on policy segments).
 */
export function vlmBatchLogProbs(
  model: ImageEncoder & { text?: Pick<CausalLM, 'logProbs'> },
  processor: Idefics3Processor,
  batch: Pick<Batch, 'ids' | 'attentionMask' | 'trajectories'>,
  options: LogProbsOptions = {},
  decoder: Pick<CausalLM, 'logProbs'> | undefined = model.text,
): LogProbsResult {
  if (!decoder) throw new Error('vlmBatchLogProbs: give the decoder that scores the batch');
  const [, T] = batch.ids.shape;
  const rows: number[] = [];
  const processed: ProcessedImage[] = [];
  batch.trajectories.forEach((t, b) => {
    if (!t) return;
    for (const at of imagePositions(t, model.config.imageTokenId)) rows.push(b * T + at);
    for (const s of t.segments) for (const im of s.images ?? []) processed.push(processor.processImage(rgbOf(im)));
  });
  const want = processed.reduce((a, p) => a + p.frames * model.config.imageSeqLen, 0);
  if (want !== rows.length) throw new Error(`vlmBatchLogProbs: the batch has ${rows.length} image-token positions in image segments but its images give ${want} features`);
  if (rows.length === 0) return decoder.logProbs(batch.ids, batch.attentionMask, options);
  const values = model.imageFeatures(processed);
  try {
    return decoder.logProbs(batch.ids, batch.attentionMask, { ...options, inputEmbeds: { rows: Int32Array.from(rows), values } });
  } finally {
    values.dispose();
  }
}

/** Positions (in the flattened trajectory) of the image tokens of its image-carrying segments. */
export function imagePositions(t: Trajectory, imageTokenId: number): number[] {
  const out: number[] = [];
  let offset = 0;
  for (const s of t.segments) {
    if (s.images?.length) s.tokenIds.forEach((id, i) => id === imageTokenId && out.push(offset + i));
    offset += s.tokenIds.length;
  }
  return out;
}

/** Image tokens (the `<image>` runs) of a trajectory: what a per-trajectory image-token cap counts. */
export function imageTokenCount(t: Trajectory, imageTokenId: number): number {
  return imagePositions(t, imageTokenId).length;
}
