import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTinyModel, loadAdapter, ModelConfig, parseLoraOptions, readSafetensors, saveAdapter, type CausalLM } from '../src';
import { maxAbsDiff } from './helpers';

const CONFIG = ModelConfig.create({
  architecture: 'qwen3',
  vocabSize: 40,
  hiddenSize: 24,
  intermediateSize: 40,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  numKeyValueHeads: 2,
  headDim: 8,
  tieWordEmbeddings: true,
});
const IDS = [[3, 17, 22, 8, 8, 29, 0, 39, 11, 5]];
const MASK = [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]];

function logProbs(model: Pick<CausalLM, 'logProbs'>): number[][] {
  return tf.tidy(() => model.logProbs(tf.tensor2d(IDS, undefined, 'int32'), tf.tensor2d(MASK)).logProbs.arraySync());
}

/** Gives the adapter's B factors random values (fresh adapters have B = 0 and change nothing). */
function randomizeB(model: CausalLM, seed: number): void {
  for (const { b } of model.adapter!.pairs.values()) b.assign(tf.randomNormal(b.shape, 0, 0.3, 'float32', seed++));
}

describe('LoRA adapters', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'policy-lora-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('start equal to the base (B = 0); only adapter factors are trainable, under PEFT names', () => {
    const model = createTinyModel(CONFIG, 3, { std: 0.2 });
    const before = logProbs(model);
    model.addAdapter({ r: 4, alpha: 8, targetModules: ['q_proj', 'v_proj', 'down_proj'] });
    expect(logProbs(model)).toEqual(before);
    const names = [...model.trainableWeights().keys()];
    expect(names).toHaveLength(2 * 3 * 2); // layers × targets × {A, B}
    expect(names[0]).toBe('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight');
    expect(model.trainableWeights().get('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight')!.shape).toEqual([24, 4]);
    expect([...model.namedWeights().values()].every((v) => !v.trainable)).toBe(true);
    // parameters: per layer q (A 4×24, B 32×4) + v (4×24, 16×4) + down (4×40, 24×4) = 224 + 160 + 256 = 640
    expect(model.adapter!.parameterCount()).toBe(2 * 640);
    model.dispose();
  });

  it('gradients reach only the adapters, and one step changes the log-probs', () => {
    const model = createTinyModel(CONFIG, 4, { std: 0.2 });
    model.addAdapter({ r: 2, alpha: 4 });
    randomizeB(model, 1);
    const before = logProbs(model);
    const vars = model.trainableVariables();
    const { grads, value } = tf.variableGrads(() => tf.neg(tf.sum(model.logProbs(tf.tensor2d(IDS, undefined, 'int32'), tf.tensor2d(MASK)).logProbs)) as tf.Scalar, vars);
    expect(Object.keys(grads).sort()).toEqual(vars.map((v) => v.name).sort());
    for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.005)));
    const after = logProbs(model);
    expect(after[0].reduce((a, b) => a + b)).toBeGreaterThan(before[0].reduce((a, b) => a + b));
    tf.dispose([...Object.values(grads), value]);
    model.dispose();
  });

  it('adapter gradients through frozen projections match central finite differences', () => {
    const model = createTinyModel(CONFIG, 4, { std: 0.2 });
    model.addAdapter({ r: 2, alpha: 4 });
    randomizeB(model, 1);
    const ids = tf.tensor2d(IDS, undefined, 'int32');
    const mask = tf.tensor2d(MASK);
    const loss = () => tf.neg(tf.sum(model.logProbs(ids, mask).logProbs)) as tf.Scalar;
    const vars = model.trainableVariables();
    const { grads, value } = tf.variableGrads(loss, vars);
    const eps = 1e-2;
    for (const v of vars.slice(0, 8)) {
      const data = v.dataSync().slice();
      const at = (delta: number) => {
        const moved = data.slice();
        moved[0] += delta;
        v.assign(tf.tensor(moved, v.shape));
        return tf.tidy(() => loss().dataSync()[0]);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(data, v.shape));
      expect(Math.abs(grads[v.name].dataSync()[0] - numeric)).toBeLessThan(5e-4);
    }
    tf.dispose([...Object.values(grads), value, ids, mask]);
    model.dispose();
  });

  it('PEFT round trip: save → load on a fresh base gives identical log-probs', () => {
    const model = createTinyModel(CONFIG, 5, { std: 0.2 });
    model.addAdapter({ r: 4, alpha: 16, useRslora: true, targetModules: ['k_proj', 'o_proj', 'gate_proj', 'up_proj'] });
    randomizeB(model, 7);
    saveAdapter(dir, model, { baseModelNameOrPath: 'Qwen/Qwen3-0.6B' });
    const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 16, use_rslora: true, target_modules: ['k_proj', 'o_proj', 'gate_proj', 'up_proj'], bias: 'none' });
    const names = [...readSafetensors(join(dir, 'adapter_model.safetensors')).keys()];
    expect(names).toContain('base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight');
    expect(names).toContain('base_model.model.model.layers.1.mlp.up_proj.lora_B.weight');

    const fresh = createTinyModel(CONFIG, 5, { std: 0.2 });
    const adapter = loadAdapter(dir, fresh);
    expect(adapter.scaling).toBe(8); // rsLoRA: alpha / sqrt(r) = 16 / 2
    expect(logProbs(fresh)).toEqual(logProbs(model));
    model.dispose();
    fresh.dispose();
  });

  it('merge equals the adapter forward within 1e-5; unmerge restores the base weights', () => {
    const model = createTinyModel(CONFIG, 6, { std: 0.2 });
    const base = new Map([...model.namedWeights()].map(([n, v]) => [n, v.arraySync()]));
    model.addAdapter({ r: 4, alpha: 8 });
    randomizeB(model, 11);
    const adapted = logProbs(model);
    model.mergeAdapter();
    expect(maxAbsDiff(logProbs(model), adapted)).toBeLessThan(1e-5);
    expect(() => model.withAdaptersDisabled(() => 0)).toThrow(/unmergeAdapter/);
    model.unmergeAdapter();
    expect(maxAbsDiff(logProbs(model), adapted)).toBeLessThan(1e-5);
    const drift = Math.max(...[...model.namedWeights()].map(([n, v]) => maxAbsDiff(v.arraySync(), base.get(n))));
    expect(drift).toBeLessThan(1e-6);
    model.dispose();
  });

  it('the KL reference is the base with adapters off, not a copy', () => {
    const model = createTinyModel(CONFIG, 8, { std: 0.2 });
    const baseLogProbs = logProbs(model);
    model.addAdapter({ r: 4, alpha: 8 });
    randomizeB(model, 3);
    const before = tf.memory().numTensors;
    const ref = model.referenceModel();
    expect(tf.memory().numTensors).toBe(before);
    expect(logProbs(ref)).toEqual(baseLogProbs);
    expect(maxAbsDiff(logProbs(model), baseLogProbs)).toBeGreaterThan(1e-3);
    ref.dispose();
    model.dispose();
  });

  it('rejects bad options naming the field', () => {
    expect(() => parseLoraOptions({ r: 0 })).toThrow(/lora\.r:/);
    expect(() => parseLoraOptions({ targetModules: ['qkv_proj'] })).toThrow(/lora\.targetModules\.0/);
    expect(() => parseLoraOptions({ rank: 8 })).toThrow(/lora\.rank: unknown option \(allowed: r, alpha, dropout, targetModules, useRslora\)/);
    expect(() => parseLoraOptions({ dropout: 1 })).toThrow(/lora\.dropout/);
  });

  it('rejects PEFT adapters it cannot represent, naming the field', () => {
    const model = createTinyModel(CONFIG, 9);
    model.addAdapter({ r: 2 });
    saveAdapter(dir, model);
    const file = join(dir, 'adapter_config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    const fresh = createTinyModel(CONFIG, 9);
    for (const [field, value, pattern] of [
      ['use_dora', true, /"use_dora" DoRA is not supported/],
      ['target_modules', ['c_attn'], /"target_modules" names "c_attn"; supported: q_proj/],
      ['layers_to_transform', [0], /"layers_to_transform" must be null/],
    ] as const) {
      require('node:fs').writeFileSync(file, JSON.stringify({ ...config, [field]: value }));
      expect(() => loadAdapter(dir, fresh)).toThrow(pattern);
    }
    // a regular expression selecting q and v everywhere (PEFT's string form) is accepted
    require('node:fs').writeFileSync(file, JSON.stringify({ ...config, r: 2, target_modules: '.*\\.(q_proj|v_proj)' }));
    const adapter = loadAdapter(dir, fresh);
    expect(adapter.options.targetModules).toEqual(['q_proj', 'v_proj']);
    expect(adapter.pairs.size).toBe(2 * 2);
    model.dispose();
    fresh.dispose();
  });
});
