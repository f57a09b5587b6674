import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { TirlError, type ResolvedRecipe, type Tokenizer } from '@tirl/core';
import {
  ByteTokenizer,
  createTinyModel,
  loadAdapter,
  loadPretrained,
  memoryPlan,
  ModelConfig,
  parseLoraOptions,
  saveAdapter,
  savePretrained,
  WASM_HEAP_BYTES,
  WEIGHT_DTYPES,
  type CausalLM,
  type LoraOptions,
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

/** The model's config without loading weights (for the memory plan). */
export function modelConfigOf(file: ExperimentFile): ModelConfig {
  if (file.model.path) {
    const configFile = join(file.model.path, 'config.json');
    if (!existsSync(configFile)) throw new TirlError(`${configFile}: file not found (model.path must be a Hugging Face model folder)`, 'invalid-data');
    return ModelConfig.fromHfConfig(JSON.parse(readFileSync(configFile, 'utf8')), configFile);
  }
  const { seed: _seed, ...config } = file.model.tiny as Record<string, unknown> & { seed?: number };
  return ModelConfig.create({ vocabSize: new ByteTokenizer().vocabSize, ...config } as never);
}

/** The memory plan of a training run of `recipe` on this model and backend. */
export function planRun(config: ModelConfig, recipe: ResolvedRecipe, lora: LoraOptions | undefined, backend: string, gradientCheckpointing: boolean): MemoryPlan {
  const s = parseTrainerSettings(recipe.settings);
  const rows = s.promptsPerStep * s.groupSize;
  return memoryPlan({
    config,
    ...(lora ? { lora } : {}),
    microBatchRows: Math.min(s.microBatchRows, rows),
    updateRows: Math.ceil(rows / s.miniBatches),
    sequenceLength: s.limits.maxTotalTokens,
    rolloutRows: rows,
    rolloutContext: s.limits.maxTotalTokens,
    gradientCheckpointing,
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
): Promise<{ model: CausalLM; tokenizer: Tokenizer }> {
  const adapterCheckpoint = options.checkpoint && existsSync(join(options.checkpoint, 'adapter_config.json')) ? options.checkpoint : undefined;
  const baseDir = adapterCheckpoint ? file.model.path : (options.checkpoint ?? file.model.path);
  let model: CausalLM;
  let tokenizer: Tokenizer;
  if (baseDir) {
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
    if (adapterDir) loadAdapter(adapterDir, model);
    else if (options.lora) model.addAdapter(options.lora, options.seed ?? 0);
    model.gradientCheckpointing = options.gradientCheckpointing ?? file.model.gradientCheckpointing ?? false;
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, tokenizer };
}

/**
 * `tirl export`: the adapter alone in the PEFT layout, or (`merged`) the full model with the adapter
 * merged in, in `dtype` (default the source dtype).
 */
export async function exportModel(model: CausalLM, tokenizer: Tokenizer, out: string, options: { merged?: boolean; dtype?: string; basePath?: string }): Promise<string> {
  if (options.dtype !== undefined && !WEIGHT_DTYPES.includes(options.dtype as WeightDtype)) {
    throw new TirlError(`--dtype must be one of ${WEIGHT_DTYPES.join(', ')}, got "${options.dtype}"`, 'invalid-options');
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
