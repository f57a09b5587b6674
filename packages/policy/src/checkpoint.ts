import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelConfig } from './config';
import { checkpointError } from './errors';
import { CausalLM } from './model';
import { readSafetensors, writeSafetensors, type SafeTensor } from './safetensors';
import { loadTokenizer, type SavableTokenizer } from './tokenizer/load';
import type { Tokenizer } from '@tirl/core';
import { expectedShapes } from './weights';

export interface Pretrained {
  model: CausalLM;
  /** Present when the folder holds `tokenizer.json`. */
  tokenizer?: Tokenizer;
  config: ModelConfig;
}

const SINGLE = 'model.safetensors';
const INDEX = 'model.safetensors.index.json';

/**
 * Loads a Hugging Face model folder: `config.json` plus `model.safetensors`, or shards listed in
 * `model.safetensors.index.json`; and the tokenizer when `tokenizer.json` is there.
 * Errors name the file and the tensor or field at fault.
 */
export async function loadPretrained(dir: string, options: { trainable?: boolean } = {}): Promise<Pretrained> {
  const configFile = join(dir, 'config.json');
  const config = ModelConfig.fromHfConfig(readJson(configFile), configFile);
  const tensors = readWeights(dir);
  const weights = new Map<string, tf.Tensor>();
  try {
    for (const [name, shape] of expectedShapes(config)) {
      const found = tensors.get(name);
      if (!found) throw checkpointError(join(dir, shardOf(dir, name)), `missing tensor "${name}" (expected shape [${shape}])`);
      const { file, tensor } = found;
      if (tensor.shape.join(',') !== shape.join(',')) {
        throw checkpointError(file, `tensor "${name}" has shape [${tensor.shape}], expected [${shape}] from config.json`);
      }
      if (tensor.dtype !== 'F32' && tensor.dtype !== 'F64') throw checkpointError(file, `tensor "${name}" has dtype ${tensor.dtype}; expected a float type`);
      weights.set(name, tf.tensor(Float32Array.from(tensor.data as Float32Array), shape, 'float32'));
    }
    const model = new CausalLM(config, weights, options);
    const tokenizer = existsSync(join(dir, 'tokenizer.json')) ? await loadTokenizer(dir) : undefined;
    return { model, config, ...(tokenizer ? { tokenizer } : {}) };
  } finally {
    tf.dispose([...weights.values()]);
  }
}

export interface SaveOptions {
  /** Split weights into shards of at most this many bytes (with an index file); default one file. */
  maxShardBytes?: number;
}

/** Writes `config.json`, the weights (HF names, float32) and, if given, the tokenizer files. */
export async function savePretrained(dir: string, model: CausalLM, tokenizer?: Tokenizer, options: SaveOptions = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(ModelConfig.toHfConfig(model.config), null, 2) + '\n');
  const tensors: [string, SafeTensor][] = [...model.namedWeights()].map(([name, v]) => [
    name,
    { dtype: 'F32', shape: [...v.shape], data: v.dataSync() as Float32Array },
  ]);
  const shards = splitShards(tensors, options.maxShardBytes ?? Infinity);
  if (shards.length === 1) {
    writeSafetensors(join(dir, SINGLE), new Map(shards[0]), { format: 'pt' });
  } else {
    const weightMap: Record<string, string> = {};
    let total = 0;
    shards.forEach((shard, i) => {
      const file = `model-${pad5(i + 1)}-of-${pad5(shards.length)}.safetensors`;
      writeSafetensors(join(dir, file), new Map(shard), { format: 'pt' });
      for (const [name, t] of shard) {
        weightMap[name] = file;
        total += t.data.byteLength;
      }
    });
    writeFileSync(join(dir, INDEX), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2) + '\n');
  }
  if (tokenizer) {
    const savable = tokenizer as Partial<SavableTokenizer>;
    if (typeof savable.save !== 'function') throw new Error('savePretrained: this tokenizer cannot be saved (it has no save(dir) method)');
    savable.save(dir);
  }
}

function readWeights(dir: string): Map<string, { file: string; tensor: SafeTensor }> {
  const out = new Map<string, { file: string; tensor: SafeTensor }>();
  const indexFile = join(dir, INDEX);
  const files = existsSync(indexFile) ? [...new Set(Object.values(readIndex(indexFile)))] : [SINGLE];
  for (const name of files) {
    const file = join(dir, name);
    if (!existsSync(file)) throw checkpointError(file, `weights file not found (looked for ${SINGLE} or ${INDEX} in ${dir})`);
    for (const [tensorName, tensor] of readSafetensors(file)) out.set(tensorName, { file, tensor });
  }
  return out;
}

function shardOf(dir: string, name: string): string {
  const indexFile = join(dir, INDEX);
  return existsSync(indexFile) ? (readIndex(indexFile)[name] ?? INDEX) : SINGLE;
}

function readIndex(file: string): Record<string, string> {
  const map = readJson(file).weight_map;
  if (!map || typeof map !== 'object') throw checkpointError(file, 'field "weight_map" is missing; it maps tensor names to shard files');
  return map as Record<string, string>;
}

function readJson(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw checkpointError(file, 'file not found');
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw checkpointError(file, `not valid JSON (${(e as Error).message})`);
  }
}

function splitShards(tensors: [string, SafeTensor][], maxBytes: number): [string, SafeTensor][][] {
  const shards: [string, SafeTensor][][] = [[]];
  let size = 0;
  for (const entry of tensors) {
    const bytes = entry[1].data.byteLength;
    if (size > 0 && size + bytes > maxBytes) {
      shards.push([]);
      size = 0;
    }
    shards[shards.length - 1].push(entry);
    size += bytes;
  }
  return shards;
}

const pad5 = (n: number) => String(n).padStart(5, '0');
