import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TirlError, type Experiment, type ResolvedRecipe, type RngState, type Tokenizer } from '@tirl/core';
import {
  adapterNameFromLayout,
  isVlmFolder,
  loadPretrained,
  loadPretrainedVlm,
  readSafetensors,
  saveAdapter,
  savePretrained,
  savePretrainedVlm,
  writeSafetensors,
  type CausalLM,
  type HfTokenizer,
  type Idefics3Processor,
  type SafeTensor,
  type VisionLanguageModel,
} from '@tirl/policy';
import type { AdamW } from '../optim/adamw';

/** `trainer_state.json` of a checkpoint. */
export interface TrainerState {
  format: 'tirl.checkpoint';
  version: 1;
  /** Steps completed. */
  step: number;
  optimizerUpdates: number;
  nonFiniteInARow: number;
  rng: RngState;
  pluginState: Record<string, unknown>;
  recipe: ResolvedRecipe;
}

const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FILE = 'trainer_state.json';
const LATEST = 'latest';
const EXTRA_FILE = 'extra.safetensors';

function toSafe(weights: Map<string, tf.Tensor>): Map<string, SafeTensor> {
  return new Map([...weights].map(([k, t]) => [k, { dtype: 'F32', shape: [...t.shape], data: t.dataSync() as Float32Array }]));
}

/**
 * Writes a checkpoint atomically: weights in Hugging Face layout (config.json + model.safetensors +
 * tokenizer files), optimizer moments, RNG, plugin state and the resolved recipe go to a temporary
 * folder that is renamed into place, then the `latest` pointer is replaced by rename.
 */
export async function saveCheckpoint(
  dir: string,
  parts: {
    model: CausalLM;
    /** A vision-language model whose decoder is `model`: a full checkpoint is its whole folder (upstream names, processor configs). */
    vision?: { model: VisionLanguageModel; processor: Idefics3Processor };
    tokenizer?: Tokenizer;
    optimizer: AdamW;
    exp: Experiment;
    step: number;
    nonFiniteInARow: number;
    /** Extra weights saved beside the model (the critic of GAE recipes). */
    extraWeights?: Map<string, tf.Variable>;
  },
  keep: number,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  removeStaleTemporaries(dir);
  const name = checkpointName(parts.step);
  const tmp = join(dir, `.${name}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  // Tokenizers that cannot write tokenizer.json (the built-in byte tokenizer) are rebuilt by the host.
  const savable = typeof (parts.tokenizer as { save?: unknown } | undefined)?.save === 'function' ? parts.tokenizer : undefined;
  if (parts.model.adapter) {
    // LoRA: the base never changes; the checkpoint holds the adapter in the PEFT layout.
    saveAdapter(tmp, parts.model, { layout: parts.vision ? 'idefics3' : 'causal-lm' });
    (savable as { save?: (dir: string) => void } | undefined)?.save?.(tmp);
  } else if (parts.vision) {
    savePretrainedVlm(tmp, { model: parts.vision.model, processor: parts.vision.processor, ...(savable ? { tokenizer: savable as HfTokenizer } : {}) });
  } else {
    await savePretrained(tmp, parts.model, savable, { dtype: 'float32' }); // exact resume, whatever the source dtype
  }
  const opt = parts.optimizer.state();
  const tensors = toSafe(opt.tensors);
  writeSafetensors(join(tmp, OPTIMIZER_FILE), tensors);
  if (parts.extraWeights?.size) writeSafetensors(join(tmp, EXTRA_FILE), toSafe(parts.extraWeights));
  const state: TrainerState = {
    format: 'tirl.checkpoint',
    version: 1,
    step: parts.step,
    optimizerUpdates: opt.updates,
    nonFiniteInARow: parts.nonFiniteInARow,
    rng: parts.exp.rng.state(),
    pluginState: parts.exp.pluginState(),
    recipe: parts.exp.recipe,
  };
  writeFileSync(join(tmp, STATE_FILE), JSON.stringify(state, null, 2));
  const final = join(dir, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  writeFileSync(join(dir, `${LATEST}.tmp`), name);
  renameSync(join(dir, `${LATEST}.tmp`), join(dir, LATEST));
  prune(dir, keep, name);
  return final;
}

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

/** Names of the complete checkpoints in `dir` (folders with a trainer state), oldest step first. */
export function completeCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^step-\d+$/.test(n) && existsSync(join(dir, n, STATE_FILE)))
    .sort();
}

/**
 * The checkpoint `--resume` continues from: the folder `latest` names, or, when there is no pointer yet
 * (a kill between the first checkpoint's rename and its pointer), the newest complete folder. Undefined
 * when the folder holds no checkpoint at all. A pointer naming a folder that is missing or incomplete is
 * an error, never a silent restart.
 */
export function latestCheckpoint(dir: string): string | undefined {
  const pointer = join(dir, LATEST);
  const complete = completeCheckpoints(dir);
  if (!existsSync(pointer)) return complete.length ? join(dir, complete[complete.length - 1]) : undefined;
  const name = readFileSync(pointer, 'utf8').trim();
  const path = join(dir, name);
  if (!/^step-\d+$/.test(name) || !existsSync(join(path, STATE_FILE))) {
    const what = !/^step-\d+$/.test(name) ? `"${name}", which is not a checkpoint name` : existsSync(path) ? `${name}, which has no ${STATE_FILE} (incomplete)` : `${name}, which does not exist`;
    const fix = complete.length
      ? `Complete checkpoints: ${complete.join(', ')}. Write the one to continue from into ${pointer}`
      : `There is no complete checkpoint; delete ${pointer} to start from step 0`;
    throw new TirlError(`--resume: ${pointer} names ${what}. ${fix}.`, 'invalid-data');
  }
  return path;
}

/** Removes half-written checkpoint folders (`.step-N.tmp-PID`) left by processes that no longer run. */
export function removeStaleTemporaries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const n of readdirSync(dir)) {
    const m = /^\.step-\d+\.tmp-(\d+)$/.exec(n) ?? (n === `${LATEST}.tmp` ? ['', ''] : null);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid && pid !== process.pid && processAlive(pid)) continue;
    rmSync(join(dir, n), { recursive: true, force: true });
    removed.push(n);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Restores weights into `model`, the optimizer, RNG and plugin state; returns the trainer state. */
export async function loadCheckpoint(
  path: string,
  model: CausalLM,
  optimizer: AdamW,
  exp: Experiment,
  extraWeights?: Map<string, tf.Variable>,
  vision?: VisionLanguageModel,
): Promise<TrainerState> {
  const state = readTrainerState(path);
  if (existsSync(join(path, 'adapter_model.safetensors'))) {
    const target = model.trainableWeights();
    if (!model.adapter) throw new TirlError(`${path}: a LoRA checkpoint, but the model has no adapter (pass the same --lora.* options)`, 'invalid-data');
    for (const [name, t] of readSafetensors(join(path, 'adapter_model.safetensors'))) {
      const v = target.get(adapterNameFromLayout(name, vision ? 'idefics3' : 'causal-lm'));
      if (!v) throw new TirlError(`${path}: adapter tensor "${name}" does not exist in the model's adapter`, 'invalid-data');
      v.assign(tf.tensor(t.data as Float32Array, t.shape));
    }
  } else if (vision) {
    if (!isVlmFolder(path)) throw new TirlError(`${path}: not a vision-language checkpoint (config.json model_type is not idefics3 / smolvlm), but the model is one`, 'invalid-data');
    const saved = await loadPretrainedVlm(path);
    const target = vision.namedWeights();
    for (const [name, v] of saved.model.namedWeights()) {
      const t = target.get(name);
      if (!t) throw new TirlError(`${path}: checkpoint tensor "${name}" does not exist in the model`, 'invalid-data');
      t.assign(v);
    }
    saved.model.dispose();
  } else {
    const saved = await loadPretrained(path);
    const target = model.namedWeights();
    for (const [name, v] of saved.model.namedWeights()) {
      const t = target.get(name);
      if (!t) throw new TirlError(`${path}: checkpoint tensor "${name}" does not exist in the model`, 'invalid-data');
      t.assign(v);
    }
    saved.model.dispose();
  }
  const moments = new Map<string, tf.Tensor>();
  for (const [k, t] of readSafetensors(join(path, OPTIMIZER_FILE))) moments.set(k, tf.tensor(t.data as Float32Array, t.shape));
  optimizer.loadState({ updates: state.optimizerUpdates, tensors: moments });
  tf.dispose([...moments.values()]);
  if (extraWeights?.size && existsSync(join(path, EXTRA_FILE))) {
    for (const [k, t] of readSafetensors(join(path, EXTRA_FILE))) extraWeights.get(k)?.assign(tf.tensor(t.data as Float32Array, t.shape));
  }
  exp.rng.setState(state.rng);
  exp.loadPluginState(state.pluginState);
  return state;
}

/** The trainer state of a checkpoint folder; a missing, unreadable or foreign file is an error naming it. */
export function readTrainerState(path: string): TrainerState {
  const statePath = join(path, STATE_FILE);
  if (!existsSync(statePath)) throw new TirlError(`${statePath}: not a tirl checkpoint (no ${STATE_FILE})`, 'invalid-data');
  let state: TrainerState;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8')) as TrainerState;
  } catch (e) {
    throw new TirlError(
      `${statePath} is damaged (${(e as Error).message}); this checkpoint cannot be resumed. Resume from an earlier one by writing its folder name into ${join(path, '..', LATEST)}`,
      'invalid-data',
    );
  }
  if (typeof state !== 'object' || state === null || state.format !== 'tirl.checkpoint' || state.version !== 1 || !Number.isInteger(state.step)) {
    throw new TirlError(`${statePath}: unsupported checkpoint format ${String(state?.format)} v${String(state?.version)} (expected tirl.checkpoint v1)`, 'invalid-data');
  }
  return state;
}

/** Keeps the newest `keep` checkpoints; never the one just written (`current`), whatever the names of older ones. */
function prune(dir: string, keep: number, current: string): void {
  const steps = readdirSync(dir)
    .filter((n) => /^step-\d+$/.test(n) && n !== current)
    .sort();
  for (const old of steps.slice(0, Math.max(0, steps.length - (keep - 1)))) rmSync(join(dir, old), { recursive: true, force: true });
}
