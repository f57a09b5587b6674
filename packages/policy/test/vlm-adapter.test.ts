import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAdapter, loadPretrainedVlm, readSafetensors, saveAdapter, writeSafetensors } from '../src';

/**
 * A LoRA adapter of an Idefics3 / SmolVLM decoder in the PEFT layout of `Idefics3ForConditionalGeneration`:
 * the decoder is `model.text_model`, so its modules are `model.text_model.layers.N.…`, and the vision
 * tower has projections of the same short names (`self_attn.q_proj`), which `target_modules` must keep out.
 */
const DIR = join(__dirname, 'fixtures', 'tiny-idefics3');

/** PEFT's rule for a string `target_modules`: `re.fullmatch(pattern, module_path)`. */
const fullmatch = (pattern: string, path: string) => new RegExp(`^(?:${pattern})$`).test(path);

describe('VLM LoRA adapters in the PEFT layout', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'policy-vlm-lora-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves under model.text_model names with a target pattern that matches decoder projections only, and loads back equal', async () => {
    const { model } = await loadPretrainedVlm(DIR);
    model.text.addAdapter({ r: 2, alpha: 4, targetModules: ['q_proj', 'v_proj', 'down_proj'] }, 5);
    // Move B off zero so a wrong mapping would show in the outputs.
    for (const [name, v] of model.text.trainableWeights()) if (name.includes('lora_B')) v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', 9));
    saveAdapter(dir, model.text, { layout: 'idefics3' });

    const names = [...readSafetensors(join(dir, 'adapter_model.safetensors')).keys()].sort();
    const layers = model.config.text.numHiddenLayers;
    expect(names).toHaveLength(layers * 3 * 2);
    expect(names).toContain('base_model.model.model.text_model.layers.0.self_attn.q_proj.lora_A.weight');
    expect(names).toContain(`base_model.model.model.text_model.layers.${layers - 1}.mlp.down_proj.lora_B.weight`);
    const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')) as { target_modules: string };
    expect(typeof config.target_modules).toBe('string');
    expect(fullmatch(config.target_modules, 'model.text_model.layers.0.self_attn.q_proj')).toBe(true);
    expect(fullmatch(config.target_modules, 'model.text_model.layers.1.mlp.down_proj')).toBe(true);
    expect(fullmatch(config.target_modules, 'model.text_model.layers.0.self_attn.k_proj')).toBe(false);
    expect(fullmatch(config.target_modules, 'model.text_model.layers.0.mlp.up_proj')).toBe(false);
    // the tower's same-named projections stay out
    expect(fullmatch(config.target_modules, 'model.vision_model.encoder.layers.0.self_attn.q_proj')).toBe(false);
    expect(fullmatch(config.target_modules, 'model.vision_model.encoder.layers.0.self_attn.v_proj')).toBe(false);

    const { model: fresh } = await loadPretrainedVlm(DIR);
    loadAdapter(dir, fresh.text, { layout: 'idefics3' });
    const saved = model.text.trainableWeights();
    for (const [name, v] of fresh.text.trainableWeights()) expect(Array.from(v.dataSync())).toEqual(Array.from(saved.get(name)!.dataSync()));
    expect(fresh.text.trainableWeights().size).toBe(saved.size);
    model.dispose();
    fresh.dispose();
  });

  it('refuses an adapter with tensors on the vision tower, naming the tensor', async () => {
    const { model } = await loadPretrainedVlm(DIR);
    model.text.addAdapter({ r: 2, alpha: 4, targetModules: ['q_proj'] }, 5);
    saveAdapter(dir, model.text, { layout: 'idefics3' });
    const file = join(dir, 'adapter_model.safetensors');
    const tensors = new Map([...readSafetensors(file)].map(([n, t]) => [n, { dtype: 'F32' as const, shape: t.shape, data: Float32Array.from(t.data as Float32Array) }]));
    tensors.set('base_model.model.model.vision_model.encoder.layers.0.self_attn.q_proj.lora_A.weight', { dtype: 'F32', shape: [2, 4], data: new Float32Array(8) });
    writeSafetensors(file, tensors, { format: 'pt' });
    const { model: fresh } = await loadPretrainedVlm(DIR);
    expect(() => loadAdapter(dir, fresh.text, { layout: 'idefics3' })).toThrow(/vision_model\.encoder\.layers\.0\.self_attn\.q_proj\.lora_A\.weight" is outside the text model/);
    model.dispose();
    fresh.dispose();
  });

  it('a causal-LM adapter keeps its own names and a list of module names', async () => {
    const { model } = await loadPretrainedVlm(DIR);
    model.text.addAdapter({ r: 2, alpha: 4, targetModules: ['q_proj'] }, 5);
    saveAdapter(dir, model.text);
    const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')) as { target_modules: string[] };
    expect(config.target_modules).toEqual(['q_proj']);
    expect([...readSafetensors(join(dir, 'adapter_model.safetensors')).keys()]).toContain('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight');
    model.dispose();
  });
});
