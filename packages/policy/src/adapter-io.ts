import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointError } from './errors';
import { LORA_TARGETS, LoraAdapter, parseLoraOptions, pefTensorName, targetModulePaths, type LoraTarget } from './lora';
import type { CausalLM } from './model';
import { readSafetensors, writeSafetensors } from './safetensors';
import { textNameInVlm } from './vision/config';

const CONFIG = 'adapter_config.json';
const WEIGHTS = 'adapter_model.safetensors';

/**
 * Where the decoder sits in the model the adapter belongs to: a causal LM's own modules (`model.layers.*`),
 * or the text model of an Idefics3 / SmolVLM (`model.text_model.layers.*`, beside the vision tower).
 */
export type AdapterLayout = 'causal-lm' | 'idefics3';

/** A decoder adapter tensor's name (`base_model.model.model.layers.…`) in the layout's PEFT file. */
export function adapterNameInLayout(name: string, layout: AdapterLayout = 'causal-lm'): string {
  const prefix = 'base_model.model.';
  return layout === 'idefics3' && name.startsWith(prefix) ? prefix + textNameInVlm(name.slice(prefix.length)) : name;
}

/** The inverse of {@link adapterNameInLayout}: a PEFT file's tensor name as the decoder's adapter names it. */
export function adapterNameFromLayout(name: string, layout: AdapterLayout = 'causal-lm'): string {
  const vlmPrefix = 'base_model.model.model.text_model.';
  return layout === 'idefics3' && name.startsWith(vlmPrefix) ? `base_model.model.model.${name.slice(vlmPrefix.length)}` : name;
}

/** PEFT's `target_modules` for the layout: module names for a causal LM; for a VLM a pattern that keeps the vision tower's same-named projections out. */
function targetModulesField(targets: readonly LoraTarget[], layout: AdapterLayout): string[] | string {
  if (layout === 'causal-lm') return [...targets];
  const attn = targets.filter((t) => !['gate_proj', 'up_proj', 'down_proj'].includes(t));
  const mlp = targets.filter((t) => ['gate_proj', 'up_proj', 'down_proj'].includes(t));
  const parts = [...(attn.length ? [`self_attn\\.(?:${attn.join('|')})`] : []), ...(mlp.length ? [`mlp\\.(?:${mlp.join('|')})`] : [])];
  return `model\\.text_model\\.layers\\.\\d+\\.(?:${parts.join('|')})`;
}

/**
 * Writes the model's LoRA adapter in the Hugging Face PEFT layout, loadable by PEFT, vLLM and SGLang:
 * `adapter_config.json` and `adapter_model.safetensors` with tensors
 * `base_model.model.<module>.lora_A.weight [r, in]` / `lora_B.weight [out, r]` (F32).
 */
export function saveAdapter(dir: string, model: CausalLM, options: { baseModelNameOrPath?: string; layout?: AdapterLayout } = {}): void {
  const layout = options.layout ?? 'causal-lm';
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
    target_modules: targetModulesField(o.targetModules, layout),
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
    [...lora.namedWeights()].map(([name, v]) => [adapterNameInLayout(name, layout), { dtype: 'F32' as const, shape: [...v.shape], data: v.dataSync() as Float32Array }]),
  );
  writeSafetensors(join(dir, WEIGHTS), tensors, { format: 'pt' });
}

/**
 * Reads a PEFT LoRA adapter folder and installs it on `model` (freezing the base). Accepts tensor names
 * with or without the adapter name (`lora_A.weight`, `lora_A.default.weight`) and `target_modules` as a
 * list or a regular expression over module paths. Errors name the file, the field and what is supported.
 */
export function loadAdapter(dir: string, model: CausalLM, where: { layout?: AdapterLayout } = {}): LoraAdapter {
  const layout = where.layout ?? 'causal-lm';
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

  const targets = resolveTargets(raw.target_modules, model, configFile, layout);
  let options;
  try {
    options = parseLoraOptions({ r: raw.r, alpha: raw.lora_alpha, dropout: raw.lora_dropout ?? 0, targetModules: targets, useRslora: raw.use_rslora === true });
  } catch (e) {
    throw checkpointError(configFile, (e as Error).message);
  }
  const weightsFile = join(dir, WEIGHTS);
  if (!existsSync(weightsFile)) throw checkpointError(weightsFile, 'file not found (adapter_model.bin is not supported; save with safe_serialization)');
  const tensors = readSafetensors(weightsFile);
  if (layout === 'idefics3') {
    const outside = [...tensors.keys()].find((n) => !n.startsWith('base_model.model.model.text_model.'));
    if (outside) throw checkpointError(weightsFile, `tensor "${outside}" is outside the text model; adapters on the vision tower or connector are not supported (target the decoder: model.text_model.layers.*)`);
  }
  const byCanonical = new Map([...tensors].map(([name, t]) => [adapterNameFromLayout(name.replace(/\.lora_([AB])\.[^.]+\.weight$/, '.lora_$1.weight'), layout), t]));
  const shapes = model.namedWeights();
  const pairs = new Map<string, { a: tf.Tensor; b: tf.Tensor }>();
  try {
    for (const module of targetModulePaths(model.config, targets)) {
      const [out, inF] = shapes.get(`${module}.weight`)!.shape;
      const get = (factor: 'A' | 'B', shape: number[]): tf.Tensor => {
        const name = pefTensorName(module, factor);
        const t = byCanonical.get(name);
        if (!t) throw checkpointError(weightsFile, `missing tensor "${adapterNameInLayout(name, layout)}" (target_modules lists ${module.split('.').pop()})`);
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

function resolveTargets(raw: unknown, model: CausalLM, file: string, layout: AdapterLayout): LoraTarget[] {
  const known = LORA_TARGETS as readonly string[];
  if (Array.isArray(raw)) {
    const bad = raw.find((t) => !known.includes(t));
    if (bad !== undefined) throw checkpointError(file, `field "target_modules" names ${JSON.stringify(bad)}; supported: ${known.join(', ')}`);
    return raw as LoraTarget[];
  }
  if (typeof raw === 'string') {
    // PEFT: a string is a regular expression that must match the whole module path.
    const re = new RegExp(`^(?:${raw})$`);
    const all = targetModulePaths(model.config, [...LORA_TARGETS]).map((m) => (layout === 'idefics3' ? textNameInVlm(m) : m));
    const hit = new Set(all.filter((m) => re.test(m)).map((m) => m.split('.').pop() as LoraTarget));
    const partial = [...hit].filter((t) => all.some((m) => m.endsWith(`.${t}`) && !re.test(m)));
    if (hit.size === 0) throw checkpointError(file, `field "target_modules" (${raw}) matches no projection of the model`);
    if (partial.length) throw checkpointError(file, `field "target_modules" (${raw}) selects ${partial.join(', ')} on some layers only; adapters on every layer only`);
    return LORA_TARGETS.filter((t) => hit.has(t));
  }
  throw checkpointError(file, `field "target_modules" must be a list of module names or a regular expression, got ${JSON.stringify(raw)}`);
}
