import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@tirl/core';
import { openWeights } from '../checkpoint';
import { createTinyModel } from '../init';
import { checkpointError } from '../errors';
import { CausalLM, type EmbeddingOverride, type LogProbsOptions, type LogProbsResult } from '../model';
import { writeSafetensors, type LazySafeTensor } from '../safetensors';
import { loadTokenizer } from '../tokenizer/load';
import type { HfTokenizer } from '../tokenizer/hf';
import { expectedShapes } from '../weights';
import { textNameInVlm, visionShapes, VlmConfig } from './config';
import { VisionTower } from './encoder';
import type { RgbImage } from './image';
import { Idefics3Processor, type ProcessedImage } from './processor';

/** A chat message whose content mixes text and images (the Hugging Face multimodal message form). */
export interface VlmMessage {
  role: string;
  content: ({ type: 'text'; text: string } | { type: 'image' })[];
}

/** A tokenised multimodal prompt: ids with `<image>` runs, and the processed image of each run. */
export interface VlmPrompt {
  text: string;
  ids: number[];
  images: ProcessedImage[];
}

/**
 * An Idefics3 / SmolVLM vision-language model: {@link VisionTower} (SigLIP + pixel-shuffle connector)
 * whose features replace the decoder's `<image>` token embeddings, and a Llama {@link CausalLM}
 * decoder. The vision tower is frozen unless `trainVision` is set; the decoder trains in full or with
 * LoRA (`text.addAdapter`). Loads and saves the Hugging Face folder with upstream tensor names.
 */
export class VisionLanguageModel {
  readonly vision: VisionTower;
  private readonly visionWeights: Map<string, tf.Variable>;

  constructor(
    readonly config: VlmConfig,
    readonly text: CausalLM,
    visionWeights: Map<string, tf.Tensor> | ((name: string, shape: number[]) => tf.Tensor),
    options: { trainVision?: boolean } = {},
  ) {
    this.visionWeights = new Map();
    try {
      for (const [name, shape] of visionShapes(config)) {
        const w = typeof visionWeights === 'function' ? visionWeights(name, shape) : visionWeights.get(name);
        if (!w) throw new Error(`VisionLanguageModel: missing weight "${name}" (shape [${shape}])`);
        if (w.shape.join(',') !== shape.join(',')) throw new Error(`VisionLanguageModel: weight "${name}" has shape [${w.shape}], expected [${shape}]`);
        this.visionWeights.set(name, tf.variable(w.dtype === 'float32' ? w : tf.cast(w, 'float32'), options.trainVision ?? false));
        if (typeof visionWeights === 'function') w.dispose();
      }
    } catch (e) {
      for (const v of this.visionWeights.values()) v.dispose();
      throw e;
    }
    this.vision = new VisionTower(config, this.visionWeights);
  }

  /** Every weight under its Hugging Face checkpoint name. */
  namedWeights(): Map<string, tf.Variable> {
    const out = new Map(this.visionWeights);
    for (const [name, v] of this.text.namedWeights()) out.set(textNameInVlm(name), v);
    return out;
  }

  /** What training updates: the decoder's (adapters under LoRA, else its weights) plus the vision tower if unfrozen. */
  trainableWeights(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, v] of this.text.trainableWeights()) out.set(this.text.adapter ? name : textNameInVlm(name), v);
    for (const [name, v] of this.visionWeights) if (v.trainable) out.set(name, v);
    return out;
  }

  /** Image features of processed images, in order: `[Σ frames · imageSeqLen, textHidden]`. */
  imageFeatures(images: readonly ProcessedImage[]): tf.Tensor2D {
    return featuresOf(this.vision, images);
  }

  /** True when the vision tower and connector train with the decoder (`trainVision`). */
  get visionTrains(): boolean {
    return [...this.visionWeights.values()].some((v) => v.trainable);
  }

  /**
   * A frozen copy of the vision tower and connector as they are now (the KL reference's eyes when the
   * tower trains): image features from the copied weights. Dispose it to free the copy.
   */
  frozenVision(): ImageEncoder & { dispose(): void } {
    const copy = new Map<string, tf.Variable>();
    for (const [name, v] of this.visionWeights) {
      const value = v.clone();
      copy.set(name, tf.variable(value, false));
      value.dispose();
    }
    const tower = new VisionTower(this.config, copy);
    return {
      config: this.config,
      imageFeatures: (images) => featuresOf(tower, images),
      dispose: () => copy.forEach((v) => v.dispose()),
    };
  }

  /**
   * The embedding override for a `[B, T]` batch: the `<image>` positions of row b, in order, take the
   * features of `images[b]` in order. Errors when the counts of positions and features differ.
   */
  inputEmbeds(ids: readonly (readonly number[])[], images: readonly (readonly ProcessedImage[])[]): EmbeddingOverride | undefined {
    if (images.length !== ids.length) throw new Error(`VisionLanguageModel: ${images.length} image lists for ${ids.length} rows; give one (possibly empty) list per row`);
    const rows: number[] = [];
    const T = ids[0]?.length ?? 0;
    ids.forEach((row, b) => {
      let n = 0;
      row.forEach((id, t) => {
        if (id === this.config.imageTokenId) {
          rows.push(b * T + t);
          n++;
        }
      });
      const want = images[b].reduce((a, im) => a + im.frames * this.config.imageSeqLen, 0);
      if (n !== want) throw new Error(`VisionLanguageModel: row ${b} has ${n} <image> tokens but its ${images[b].length} images give ${want} features; expand the prompt with the processor`);
    });
    if (rows.length === 0) return undefined;
    const all = images.flat();
    return { rows: Int32Array.from(rows), values: this.imageFeatures(all) };
  }

  /** Logits `[B, T, V]` of a batch with images (`images[b]` for row b). */
  logits(ids: tf.Tensor2D, images: readonly (readonly ProcessedImage[])[], attentionMask?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const override = this.inputEmbeds(ids.arraySync(), images);
      return this.text.logits(ids, attentionMask, override);
    });
  }

  /** Per-token log-probs as {@link CausalLM.logProbs}, with image features at the `<image>` positions. */
  logProbs(ids: tf.Tensor2D, attentionMask: tf.Tensor2D, images: readonly (readonly ProcessedImage[])[], options: LogProbsOptions = {}): LogProbsResult {
    const override = this.inputEmbeds(ids.arraySync(), images);
    try {
      return this.text.logProbs(ids, attentionMask, { ...options, ...(override ? { inputEmbeds: override } : {}) });
    } finally {
      override?.values.dispose();
    }
  }

  dispose(): void {
    this.text.dispose();
    for (const v of this.visionWeights.values()) v.dispose();
  }
}

/** What scoring a batch needs from the vision side: the config (image token, features per frame) and the features. */
export type ImageEncoder = Pick<VisionLanguageModel, 'config' | 'imageFeatures'>;

/** Features of processed images through `tower`, in order: `[Σ frames · imageSeqLen, textHidden]`. */
function featuresOf(tower: VisionTower, images: readonly ProcessedImage[]): tf.Tensor2D {
  return tf.tidy(() => {
    const parts = images.map((im) => tower.encode(im.pixelValues, im.frames));
    return (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor2D;
  });
}

/** A loaded vision-language checkpoint: the model, its processor and (when present) its tokenizer. */
export interface PretrainedVlm {
  model: VisionLanguageModel;
  processor: Idefics3Processor;
  tokenizer?: HfTokenizer;
}

/**
 * Loads an Idefics3 / SmolVLM Hugging Face folder (`config.json`, `model.safetensors` or shards,
 * `preprocessor_config.json`, `processor_config.json`, tokenizer files), one tensor at a time.
 */
export async function loadPretrainedVlm(dir: string, options: { trainVision?: boolean; trainable?: boolean } = {}): Promise<PretrainedVlm> {
  const configFile = join(dir, 'config.json');
  if (!existsSync(configFile)) throw checkpointError(configFile, 'file not found');
  const config = VlmConfig.fromHfConfig(JSON.parse(readFileSync(configFile, 'utf8')), configFile);
  const files = openWeights(dir);
  const read = (name: string, shape: number[]): tf.Tensor => {
    const file = files.get(name);
    if (!file) throw checkpointError(join(dir, 'model.safetensors'), `missing tensor "${name}" (expected shape [${shape}])`);
    const info = file.tensors.get(name)!;
    if (info.shape.join(',') !== shape.join(',')) throw checkpointError(file.path, `tensor "${name}" has shape [${info.shape}], expected [${shape}] from config.json`);
    const t = file.read(name);
    return tf.tensor(t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>), shape, 'float32');
  };
  let model: VisionLanguageModel;
  try {
    const text = new CausalLM(config.text, (name, shape) => read(textNameInVlm(name), shape), { trainable: options.trainable });
    try {
      model = new VisionLanguageModel(config, text, read, options);
    } catch (e) {
      text.dispose();
      throw e;
    }
  } finally {
    for (const f of new Set(files.values())) f.close();
  }
  const processor = Idefics3Processor.load(dir, config.imageSeqLen);
  if (processor.imageSeqLen !== config.imageSeqLen) {
    model.dispose();
    throw checkpointError(join(dir, 'processor_config.json'), `image_seq_len ${processor.imageSeqLen} disagrees with config.json, which gives (image_size / patch_size)² / scale_factor² = ${config.imageSeqLen}`);
  }
  const tokenizer = existsSync(join(dir, 'tokenizer.json')) ? await loadTokenizer(dir) : undefined;
  if (tokenizer && tokenizer.tokenId('<image>') !== config.imageTokenId) {
    model.dispose();
    throw checkpointError(join(dir, 'tokenizer.json'), `token "<image>" has id ${tokenizer.tokenId('<image>')}, but config.json's image_token_id is ${config.imageTokenId}`);
  }
  return { model, processor, ...(tokenizer ? { tokenizer } : {}) };
}

/**
 * True when `dir` holds an Idefics3 / SmolVLM folder: its `config.json` has `model_type` `idefics3` or
 * `smolvlm` (the vision-language layout `loadPretrainedVlm` reads). False for other models and for
 * folders without a readable `config.json`.
 */
export function isVlmFolder(dir: string): boolean {
  const file = join(dir, 'config.json');
  if (!existsSync(file)) return false;
  try {
    const type = (JSON.parse(readFileSync(file, 'utf8')) as { model_type?: unknown }).model_type;
    return type === 'idefics3' || type === 'smolvlm';
  } catch {
    return false;
  }
}

/** Writes `config.json`, `model.safetensors` (upstream names, F32), the processor configs and the tokenizer. */
export function savePretrainedVlm(dir: string, pretrained: PretrainedVlm): void {
  mkdirSync(dir, { recursive: true });
  const { model, processor, tokenizer } = pretrained;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(VlmConfig.toHfConfig({ ...model.config, text: { ...model.config.text, torchDtype: 'float32' } }), null, 2) + '\n');
  const tensors = new Map<string, LazySafeTensor>();
  for (const [name, v] of model.namedWeights()) tensors.set(name, { dtype: 'F32', shape: [...v.shape], read: () => v.dataSync() as Float32Array });
  writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ image_processor_type: 'Idefics3ImageProcessor', processor_class: 'Idefics3Processor', ...processor.config }, null, 2) + '\n');
  writeFileSync(join(dir, 'processor_config.json'), JSON.stringify({ image_seq_len: processor.imageSeqLen, processor_class: 'Idefics3Processor' }, null, 2) + '\n');
  tokenizer?.save(dir);
}

/**
 * Renders `messages` with the tokenizer's chat template (an `<image>` per image part), processes the
 * images, expands each `<image>` into its tile markers and `<image>` runs, and tokenises.
 */
export function buildVlmPrompt(
  tokenizer: HfTokenizer,
  processor: Idefics3Processor,
  messages: readonly VlmMessage[],
  images: readonly RgbImage[],
  options: { addGenerationPrompt?: boolean } = {},
): VlmPrompt {
  const wanted = messages.reduce((a, m) => a + m.content.filter((c) => c.type === 'image').length, 0);
  if (wanted !== images.length) throw new Error(`buildVlmPrompt: the messages have ${wanted} image parts but ${images.length} images were given`);
  const text = tokenizer.renderChat(messages as never, { addGenerationPrompt: options.addGenerationPrompt ?? true });
  const processed = images.map((im) => processor.processImage(im));
  const expanded = processor.expandText(text, processed);
  return { text: expanded, ids: tokenizer.encode(expanded), images: processed };
}

/** Layout check used by tests and tools: which decoder names the VLM stores, in checkpoint form. */
export function vlmWeightNames(config: VlmConfig): string[] {
  return [...visionShapes(config).keys(), ...[...expectedShapes(config.text).keys()].map(textNameInVlm)];
}

/**
 * A randomly initialised vision-language model (seeded): decoder as {@link createTinyModel}, vision
 * projections ~ N(0, std²), LayerNorm weights 1 and biases 0. For demos and tests.
 */
export function createTinyVlm(config: VlmConfig, seed = 0, options: { std?: number; trainVision?: boolean } = {}): VisionLanguageModel {
  const std = options.std ?? 0.02;
  const text = createTinyModel(config.text, seed, { std });
  const rng = new Rng(seed + 1);
  try {
    return new VisionLanguageModel(
      config,
      text,
      (name, shape) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const data = new Float32Array(size);
        const isNorm = /layer_?norm/.test(name);
        if (isNorm && name.endsWith('.weight')) data.fill(1);
        else if (!isNorm) for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
        return tf.tensor(data, shape);
      },
      { trainVision: options.trainVision },
    );
  } catch (e) {
    text.dispose();
    throw e;
  }
}
