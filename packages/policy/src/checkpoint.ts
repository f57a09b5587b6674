import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelConfig, WEIGHT_DTYPES, type WeightDtype } from './config';
import { checkpointError } from './errors';
import { CausalLM } from './model';
import { readJsonFile } from './read-json';
import { SafetensorsFile, writeSafetensors, type LazySafeTensor, type SafeDtype } from './safetensors';
import { loadTokenizer, type SavableTokenizer } from './tokenizer/load';
import type { Tokenizer } from '@tirl/core';

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
  const config = ModelConfig.fromHfConfig(readJsonFile(configFile), configFile);
  const files = openWeights(dir);
  let model: CausalLM;
  try {
    // One tensor at a time: read (half precision widened), copied into the model, dropped.
    model = new CausalLM(
      config,
      (name, shape) => {
        const file = files.get(name);
        if (!file) throw checkpointError(join(dir, shardOf(dir, name)), `missing tensor "${name}" (expected shape [${shape}])`);
        const info = file.tensors.get(name)!;
        if (info.shape.join(',') !== shape.join(',')) {
          throw checkpointError(file.path, `tensor "${name}" has shape [${info.shape}], expected [${shape}] from config.json`);
        }
        if (!['F32', 'F64', 'F16', 'BF16'].includes(info.dtype)) throw checkpointError(file.path, `tensor "${name}" has dtype ${info.dtype}; expected a float type`);
        const t = file.read(name);
        return tf.tensor(t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as Float64Array), shape, 'float32');
      },
      options,
    );
  } finally {
    for (const f of new Set(files.values())) f.close();
  }
  try {
    const tokenizer = existsSync(join(dir, 'tokenizer.json')) ? await loadTokenizer(dir) : undefined;
    return { model, config, ...(tokenizer ? { tokenizer } : {}) };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

export interface SaveOptions {
  /** Split weights into shards of at most this many bytes (with an index file); default one file. */
  maxShardBytes?: number;
  /** Weight dtype on disk; default the model's `torchDtype` (the dtype it was loaded from). */
  dtype?: WeightDtype;
}

const SAFE_DTYPE: Record<WeightDtype, SafeDtype> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16' };

/**
 * Writes `config.json`, the weights (HF names; in the model's source dtype, or `options.dtype`) and, if
 * given, the tokenizer files. Weights are copied off the backend one tensor at a time.
 */
export async function savePretrained(dir: string, model: CausalLM, tokenizer?: Tokenizer, options: SaveOptions = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const dtype = options.dtype ?? model.config.torchDtype;
  if (!WEIGHT_DTYPES.includes(dtype)) throw new Error(`savePretrained: dtype must be one of ${WEIGHT_DTYPES.join(', ')}, got ${JSON.stringify(dtype)}`);
  const safeDtype = SAFE_DTYPE[dtype];
  writeFileSync(join(dir, 'config.json'), JSON.stringify(ModelConfig.toHfConfig({ ...model.config, torchDtype: dtype }), null, 2) + '\n');
  const tensors: [string, LazySafeTensor][] = [...model.namedWeights()].map(([name, v]) => [
    name,
    { dtype: safeDtype, shape: [...v.shape], read: () => v.dataSync() as Float32Array },
  ]);
  const bytes = (t: LazySafeTensor) => t.shape.reduce((a, b) => a * b, 1) * (safeDtype === 'F32' ? 4 : 2);
  const shards = splitShards(tensors, options.maxShardBytes ?? Infinity, bytes);
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
        total += bytes(t);
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

/** Each tensor name → its open shard (headers parsed, no data read). Close the files. */
export function openWeights(dir: string): Map<string, SafetensorsFile> {
  const out = new Map<string, SafetensorsFile>();
  const indexFile = join(dir, INDEX);
  const names = existsSync(indexFile) ? [...new Set(Object.values(readIndex(indexFile)))] : [SINGLE];
  try {
    for (const name of names) {
      const path = join(dir, name);
      if (!existsSync(path)) throw checkpointError(path, `weights file not found (looked for ${SINGLE} or ${INDEX} in ${dir})`);
      const file = new SafetensorsFile(path);
      for (const tensorName of file.tensors.keys()) out.set(tensorName, file);
    }
  } catch (e) {
    for (const f of new Set(out.values())) f.close();
    throw e;
  }
  return out;
}

function shardOf(dir: string, name: string): string {
  const indexFile = join(dir, INDEX);
  return existsSync(indexFile) ? (readIndex(indexFile)[name] ?? INDEX) : SINGLE;
}

function readIndex(file: string): Record<string, string> {
  const map = readJsonFile(file).weight_map;
  if (!map || typeof map !== 'object') throw checkpointError(file, 'field "weight_map" is missing; it maps tensor names to shard files');
  return map as Record<string, string>;
}

function splitShards<T>(tensors: [string, T][], maxBytes: number, bytesOf: (t: T) => number): [string, T][][] {
  const shards: [string, T][][] = [[]];
  let size = 0;
  for (const entry of tensors) {
    const bytes = bytesOf(entry[1]);
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
