import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointError } from './errors';
import { LORA_TARGETS, LoraAdapter, parseLoraOptions, pefTensorName, targetModulePaths, type LoraTarget } from './lora';
import type { CausalLM } from './model';
import { readSafetensors, writeSafetensors } from './safetensors';

const CONFIG = 'adapter_config.json';
const WEIGHTS = 'adapter_model.safetensors';

/**
 * Writes the model's LoRA adapter in the Hugging Face PEFT layout, loadable by PEFT, vLLM and SGLang:
 * `adapter_config.json` and `adapter_model.safetensors` with tensors
 * `base_model.model.<module>.lora_A.weight [r, in]` / `lora_B.weight [out, r]` (F32).
 */
export function saveAdapter(dir: string, model: CausalLM, options: { baseModelNameOrPath?: string } = {}): void {
  const lora = model.adapter;
  if (!lora) throw new Error('saveAdapter: the model has no LoRA adapter');
  mkdirSync(dir, { recursive: true });
  const o = lora.options;
  const config = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: options.baseModelNameOrPath ?? null,
    r: o.r,
    lora_alpha: o.alpha,
    lora_dropout: o.dropout,
    target_modules: [...o.targetModules],
    use_rslora: o.useRslora,
    bias: 'none',
    fan_in_fan_out: false,
    use_dora: false,
    modules_to_save: null,
    layers_to_transform: null,
    rank_pattern: {},
    alpha_pattern: {},
    init_lora_weights: true,
    inference_mode: true,
  };
  writeFileSync(join(dir, CONFIG), JSON.stringify(config, null, 2) + '\n');
  const tensors = new Map(
    [...lora.namedWeights()].map(([name, v]) => [name, { dtype: 'F32' as const, shape: [...v.shape], data: v.dataSync() as Float32Array }]),
  );
  writeSafetensors(join(dir, WEIGHTS), tensors, { format: 'pt' });
}

/**
 * Reads a PEFT LoRA adapter folder and installs it on `model` (freezing the base). Accepts tensor names
 * with or without the adapter name (`lora_A.weight`, `lora_A.default.weight`) and `target_modules` as a
 * list or a regular expression over module paths. Errors name the file, the field and what is supported.
 */
export function loadAdapter(dir: string, model: CausalLM): LoraAdapter {
  const configFile = join(dir, CONFIG);
  if (!existsSync(configFile)) throw checkpointError(configFile, `file not found; a PEFT adapter folder holds ${CONFIG} and ${WEIGHTS}`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (e) {
    throw checkpointError(configFile, `not valid JSON (${(e as Error).message})`);
  }
  const unsupported: [string, (v: unknown) => boolean, string][] = [
    ['peft_type', (v) => v !== undefined && v !== 'LORA', 'must be "LORA"'],
    ['use_dora', (v) => v === true, 'DoRA is not supported; use a plain LoRA adapter'],
    ['bias', (v) => v !== undefined && v !== 'none', 'must be "none" (adapter biases are not supported)'],
    ['fan_in_fan_out', (v) => v === true, 'must be false (it is for GPT-2 Conv1D layers)'],
    ['modules_to_save', (v) => Array.isArray(v) && v.length > 0, 'must be empty: fully trained extra modules are not supported'],
    ['layers_to_transform', (v) => v != null, 'must be null: adapters on every layer only'],
    ['rank_pattern', (v) => !!v && typeof v === 'object' && Object.keys(v).length > 0, 'must be empty: one rank for all modules'],
    ['alpha_pattern', (v) => !!v && typeof v === 'object' && Object.keys(v).length > 0, 'must be empty: one alpha for all modules'],
  ];
  for (const [field, bad, why] of unsupported) if (bad(raw[field])) throw checkpointError(configFile, `field "${field}" ${why} (got ${JSON.stringify(raw[field])})`);

  const targets = resolveTargets(raw.target_modules, model, configFile);
  let options;
  try {
    options = parseLoraOptions({ r: raw.r, alpha: raw.lora_alpha, dropout: raw.lora_dropout ?? 0, targetModules: targets, useRslora: raw.use_rslora === true });
  } catch (e) {
    throw checkpointError(configFile, (e as Error).message);
  }
  const weightsFile = join(dir, WEIGHTS);
  if (!existsSync(weightsFile)) throw checkpointError(weightsFile, 'file not found (adapter_model.bin is not supported; save with safe_serialization)');
  const tensors = readSafetensors(weightsFile);
  const byCanonical = new Map([...tensors].map(([name, t]) => [name.replace(/\.lora_([AB])\.[^.]+\.weight$/, '.lora_$1.weight'), t]));
  const shapes = model.namedWeights();
  const pairs = new Map<string, { a: tf.Tensor; b: tf.Tensor }>();
  try {
    for (const module of targetModulePaths(model.config, targets)) {
      const [out, inF] = shapes.get(`${module}.weight`)!.shape;
      const get = (factor: 'A' | 'B', shape: number[]): tf.Tensor => {
        const name = pefTensorName(module, factor);
        const t = byCanonical.get(name);
        if (!t) throw checkpointError(weightsFile, `missing tensor "${name}" (target_modules lists ${module.split('.').pop()})`);
        if (t.shape.join(',') !== shape.join(',')) throw checkpointError(weightsFile, `tensor "${name}" has shape [${t.shape}], expected [${shape}] (r = ${options.r})`);
        return tf.tensor(Float32Array.from(t.data as Float32Array), shape, 'float32');
      };
      pairs.set(module, { a: get('A', [options.r, inF]), b: get('B', [out, options.r]) });
    }
    return model.setAdapter(new LoraAdapter(options, pairs));
  } finally {
    for (const { a, b } of pairs.values()) tf.dispose([a, b]);
  }
}

function resolveTargets(raw: unknown, model: CausalLM, file: string): LoraTarget[] {
  const known = LORA_TARGETS as readonly string[];
  if (Array.isArray(raw)) {
    const bad = raw.find((t) => !known.includes(t));
    if (bad !== undefined) throw checkpointError(file, `field "target_modules" names ${JSON.stringify(bad)}; supported: ${known.join(', ')}`);
    return raw as LoraTarget[];
  }
  if (typeof raw === 'string') {
    // PEFT: a string is a regular expression that must match the whole module path.
    const re = new RegExp(`^(?:${raw})$`);
    const all = targetModulePaths(model.config, [...LORA_TARGETS]);
    const hit = new Set(all.filter((m) => re.test(m)).map((m) => m.split('.').pop() as LoraTarget));
    const partial = [...hit].filter((t) => all.some((m) => m.endsWith(`.${t}`) && !re.test(m)));
    if (hit.size === 0) throw checkpointError(file, `field "target_modules" (${raw}) matches no projection of the model`);
    if (partial.length) throw checkpointError(file, `field "target_modules" (${raw}) selects ${partial.join(', ')} on some layers only; adapters on every layer only`);
    return LORA_TARGETS.filter((t) => hit.has(t));
  }
  throw checkpointError(file, `field "target_modules" must be a list of module names or a regular expression, got ${JSON.stringify(raw)}`);
}
