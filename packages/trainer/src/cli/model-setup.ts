import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { TirlError, type ResolvedRecipe, type Sample, type Tokenizer } from '@tirl/core';
import {
  ByteTokenizer,
  createTinyModel,
  Idefics3Processor,
  isVlmFolder,
  loadAdapter,
  loadPretrained,
  loadPretrainedVlm,
  loadTokenizer,
  memoryPlan,
  ModelConfig,
  parseLoraOptions,
  saveAdapter,
  savePretrained,
  savePretrainedVlm,
  VlmConfig,
  WASM_HEAP_BYTES,
  hasFusedKernels,
  WEIGHT_DTYPES,
  type CausalLM,
  type HfTokenizer,
  type LoraOptions,
  type VisionLanguageModel,
  type MemoryPlan,
  type WeightDtype,
} from '@tirl/policy';
import { parseTrainerSettings } from '../settings';
import type { ExperimentFile } from './config';

/** Command-line flags of the model: LoRA as TRL users pass it, gradient checkpointing, export. */
export const MODEL_FLAGS = {
  'lora.r': { type: 'string' },
  'lora.alpha': { type: 'string' },
  'lora.dropout': { type: 'string' },
  'lora.target-modules': { type: 'string' },
  'lora.rslora': { type: 'boolean' },
  'lora.adapter': { type: 'string' },
  'gradient-checkpointing': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  out: { type: 'string' },
  merged: { type: 'boolean' },
  dtype: { type: 'string' },
} as const;

export type ModelFlagValues = { [K in keyof typeof MODEL_FLAGS]?: (typeof MODEL_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

/** LoRA options from `model.lora` in the experiment file, overridden by `--lora.*` flags; undefined = full fine-tuning. */
export function loraOptionsOf(file: ExperimentFile, flags: ModelFlagValues): LoraOptions | undefined {
  const fromFlags: Record<string, unknown> = {};
  const num = (flag: keyof ModelFlagValues, key: string) => {
    const v = flags[flag];
    if (v === undefined) return;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new TirlError(`--${flag} must be a number, got "${v}"`, 'invalid-options');
    fromFlags[key] = n;
  };
  num('lora.r', 'r');
  num('lora.alpha', 'alpha');
  num('lora.dropout', 'dropout');
  if (flags['lora.target-modules'] !== undefined) fromFlags.targetModules = flags['lora.target-modules'].split(',').map((s) => s.trim()).filter(Boolean);
  if (flags['lora.rslora'] !== undefined) fromFlags.useRslora = flags['lora.rslora'];
  const fileLora = file.model.lora;
  if (!fileLora && Object.keys(fromFlags).length === 0) return undefined;
  return parseLoraOptions({ ...(fileLora ?? {}), ...fromFlags });
}

/** The model's config without loading weights (for the memory plan); a vision-language folder gives its decoder's. */
export function modelConfigOf(file: ExperimentFile): ModelConfig {
  if (file.model.path) {
    const configFile = join(file.model.path, 'config.json');
    if (!existsSync(configFile)) throw new TirlError(`${configFile}: file not found (model.path must be a Hugging Face model folder)`, 'invalid-data');
    const hf = JSON.parse(readFileSync(configFile, 'utf8'));
    if (isVlmFolder(file.model.path)) return VlmConfig.fromHfConfig(hf, configFile).text;
    return ModelConfig.fromHfConfig(hf, configFile);
  }
  const { seed: _seed, ...config } = file.model.tiny as Record<string, unknown> & { seed?: number };
  return ModelConfig.create({ vocabSize: new ByteTokenizer().vocabSize, ...config } as never);
}

/** What images add to each row of a vision-language run (the memory plan's `vision`). */
export interface VisionRowPlan {
  config: VlmConfig;
  imageTokensPerRow: number;
  imageFramesPerRow: number;
  /** How the numbers were found, printed with the plan. */
  note: string;
}

/**
 * The image tokens and frames of the costliest row of a vision-language run, without loading weights:
 * the largest prompt-image cost over the data's samples (exact: the processor's tiling and the tokenizer's count of
 * each image's markers and `<image>` runs) plus the tool images that `limits.maxImageTokens` lets in.
 * Undefined for a text model.
 */
export async function visionRowPlan(file: ExperimentFile, recipe: ResolvedRecipe, readData: () => readonly Sample[]): Promise<VisionRowPlan | undefined> {
  const dir = file.model.path;
  if (!dir || !isVlmFolder(dir)) return undefined;
  const config = VlmConfig.fromHfConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), join(dir, 'config.json'));
  const processor = Idefics3Processor.load(dir, config.imageSeqLen);
  const tokenizer = await loadTokenizer(dir);
  const samples = readData();
  const cost = new Map<string, { tokens: number; frames: number }>();
  const costOf = (width: number, height: number) => {
    const key = `${width}x${height}`;
    let c = cost.get(key);
    if (!c) {
      const g = processor.grid(width, height);
      c = { tokens: tokenizer.encode(processor.imagePrompt(g.rows, g.cols), { addSpecialTokens: false }).length, frames: g.frames };
      cost.set(key, c);
    }
    return c;
  };
  let promptTokens = 0;
  let promptFrames = 0;
  for (const sample of samples) {
    let tokens = 0;
    let frames = 0;
    for (const m of sample.messages) for (const im of m.images ?? []) {
      const c = costOf(im.width, im.height);
      tokens += c.tokens;
      frames += c.frames;
    }
    promptTokens = Math.max(promptTokens, tokens);
    promptFrames = Math.max(promptFrames, frames);
  }
  const cap = parseTrainerSettings(recipe.settings).limits.maxImageTokens ?? 0;
  // A frame costs at least its imageSeqLen <image> tokens, so the cap admits at most cap / imageSeqLen frames.
  const toolFrames = Math.floor(cap / config.imageSeqLen);
  return {
    config,
    imageTokensPerRow: promptTokens + cap,
    imageFramesPerRow: promptFrames + toolFrames,
    note: `image tokens per row: ${promptTokens} from the largest prompt's images (${samples.length} samples) + ${cap} tool-image cap (limits.maxImageTokens${cap ? '' : ' unset: tool images are not counted'})`,
  };
}

/** The memory plan of a training run of `recipe` on this model and backend. */
export function planRun(
  config: ModelConfig,
  recipe: ResolvedRecipe,
  lora: LoraOptions | undefined,
  backend: string,
  gradientCheckpointing: boolean,
  vision?: Pick<VisionRowPlan, 'config' | 'imageTokensPerRow' | 'imageFramesPerRow'>,
): MemoryPlan {
  const s = parseTrainerSettings(recipe.settings);
  const rows = s.promptsPerStep * s.groupSize;
  return memoryPlan({
    config,
    ...(vision ? { vision: { config: vision.config, imageTokensPerRow: vision.imageTokensPerRow, imageFramesPerRow: vision.imageFramesPerRow } } : {}),
    ...(lora ? { lora } : {}),
    microBatchRows: Math.min(s.microBatchRows, rows),
    updateRows: Math.ceil(rows / s.miniBatches),
    sequenceLength: s.limits.maxTotalTokens,
    rolloutRows: rows,
    rolloutContext: s.limits.maxTotalTokens,
    gradientCheckpointing,
    fusedKernels: hasFusedKernels(),
    reference: true, // counted whenever it would cost memory: an upper estimate
    limitBytes: backend === 'wasm' ? WASM_HEAP_BYTES : totalmem(),
    backend,
  });
}

/**
 * Loads the model for train/eval/export: a Hugging Face folder or a tiny random model; then the LoRA
 * adapter of a LoRA checkpoint (`--checkpoint` holding `adapter_config.json`), of `--lora.adapter`,
 * or fresh adapters when LoRA options are given.
 */
export async function loadModelFor(
  file: ExperimentFile,
  options: { checkpoint?: string; lora?: LoraOptions; adapterDir?: string; gradientCheckpointing?: boolean; seed?: number },
): Promise<{ model: CausalLM; tokenizer: Tokenizer; vision?: { model: VisionLanguageModel; processor: Idefics3Processor } }> {
  const adapterCheckpoint = options.checkpoint && existsSync(join(options.checkpoint, 'adapter_config.json')) ? options.checkpoint : undefined;
  const baseDir = adapterCheckpoint ? file.model.path : (options.checkpoint ?? file.model.path);
  let model: CausalLM;
  let tokenizer: Tokenizer;
  let vision: { model: VisionLanguageModel; processor: Idefics3Processor } | undefined;
  if (baseDir && isVlmFolder(baseDir)) {
    const loaded = await loadPretrainedVlm(baseDir);
    if (!loaded.tokenizer) {
      loaded.model.dispose();
      throw new TirlError(`${baseDir} is a vision-language model without tokenizer.json; put the model's tokenizer.json (and tokenizer_config.json with its chat template) into it`, 'invalid-data');
    }
    vision = { model: loaded.model, processor: loaded.processor };
    model = loaded.model.text;
    tokenizer = loaded.tokenizer;
  } else if (baseDir) {
    const loaded = await loadPretrained(baseDir);
    model = loaded.model;
    tokenizer = loaded.tokenizer ?? byteTokenizerFor(baseDir, model);
  } else {
    const { seed = 0, ...config } = file.model.tiny as Record<string, unknown> & { seed?: number };
    tokenizer = new ByteTokenizer();
    model = createTinyModel({ vocabSize: tokenizer.vocabSize, ...config } as never, seed);
  }
  try {
    const adapterDir = adapterCheckpoint ?? options.adapterDir ?? file.model.adapter;
    if (adapterDir) loadAdapter(adapterDir, model, { layout: vision ? 'idefics3' : 'causal-lm' });
    else if (options.lora) model.addAdapter(options.lora, options.seed ?? 0);
    model.gradientCheckpointing = options.gradientCheckpointing ?? file.model.gradientCheckpointing ?? false;
  } catch (e) {
    (vision?.model ?? model).dispose();
    throw e;
  }
  return { model, tokenizer, ...(vision ? { vision } : {}) };
}

/**
 * `tirl export`: the adapter alone in the PEFT layout, or (`merged`) the full model with the adapter
 * merged in, in `dtype` (default the source dtype).
 */
export async function exportModel(
  model: CausalLM,
  tokenizer: Tokenizer,
  out: string,
  options: { merged?: boolean; dtype?: string; basePath?: string; vision?: { model: VisionLanguageModel; processor: Idefics3Processor } },
): Promise<string> {
  if (options.dtype !== undefined && !WEIGHT_DTYPES.includes(options.dtype as WeightDtype)) {
    throw new TirlError(`--dtype must be one of ${WEIGHT_DTYPES.join(', ')}, got "${options.dtype}"`, 'invalid-options');
  }
  if (options.vision) {
    if (options.dtype && options.dtype !== 'float32') throw new TirlError('--dtype: vision-language models are written in float32', 'invalid-options');
    if (model.adapter && !options.merged) {
      saveAdapter(out, model, { layout: 'idefics3', ...(options.basePath ? { baseModelNameOrPath: options.basePath } : {}) });
      return `PEFT adapter (r=${model.adapter.options.r}) of the vision-language model's text model written to ${out}`;
    }
    if (model.adapter) model.mergeAdapter();
    savePretrainedVlm(out, { model: options.vision.model, processor: options.vision.processor, tokenizer: tokenizer as HfTokenizer });
    return `${model.adapter ? 'merged ' : ''}vision-language model written to ${out}`;
  }
  const savable = typeof (tokenizer as { save?: unknown }).save === 'function' ? tokenizer : undefined;
  if (model.adapter && !options.merged) {
    if (options.dtype) throw new TirlError('--dtype applies to merged or full models; adapters are written in F32', 'invalid-options');
    saveAdapter(out, model, options.basePath ? { baseModelNameOrPath: options.basePath } : {});
    return `PEFT adapter (r=${model.adapter.options.r}) written to ${out}`;
  }
  if (model.adapter) model.mergeAdapter();
  await savePretrained(out, model, savable, options.dtype ? { dtype: options.dtype as WeightDtype } : {});
  return `${model.adapter ? 'merged ' : ''}model written to ${out}`;
}

/**
 * The byte tokenizer stands in for a model folder without `tokenizer.json` only when the model has an
 * embedding for every byte id; otherwise the first id past the vocabulary would fail mid-run.
 */
function byteTokenizerFor(dir: string, model: CausalLM): Tokenizer {
  const bytes = new ByteTokenizer();
  const vocab = model.config.vocabSize;
  if (vocab < bytes.vocabSize) {
    model.dispose();
    throw new TirlError(
      `${dir} has no tokenizer.json, and its vocabulary (${vocab} ids) is smaller than the byte tokenizer's (${bytes.vocabSize} ids) that would replace it. Put the model's tokenizer.json (and tokenizer_config.json) into ${dir}`,
      'invalid-data',
    );
  }
  console.log(`${dir} has no tokenizer.json: using the byte tokenizer (${bytes.vocabSize} ids of the model's ${vocab})`);
  return bytes;
}
