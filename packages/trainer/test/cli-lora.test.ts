import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTinyModel, loadAdapter, loadPretrained, ModelConfig, readSafetensors, saveAdapter, savePretrained } from '@tirl/policy';
import { main } from '../src/cli/main';
import { tokenizer } from './task';

/** `tirl train` on a Hugging Face folder with `--lora.*`, the memory plan, and `tirl export`. */
describe('tirl CLI with LoRA', () => {
  let dir: string;
  let logs: string[];
  let spy: jest.SpyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tirl-cli-lora-'));
    const model = createTinyModel({ architecture: 'qwen3', vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1, headDim: 8, tieWordEmbeddings: true }, 3, { std: 0.1 });
    await savePretrained(join(dir, 'base'), model);
    // A starting adapter away from the base, so the KL term (reference = base with adapters off) has a gradient
    // even when every reward in the group is equal.
    model.addAdapter({ r: 4, alpha: 8, targetModules: ['q_proj', 'v_proj', 'down_proj'] });
    for (const { b } of model.adapter!.pairs.values()) b.assign(tf.randomNormal(b.shape, 0, 0.5, 'float32', 9));
    saveAdapter(join(dir, 'start-adapter'), model);
    model.dispose();
    writeFileSync(join(dir, 'train.jsonl'), ['{"id":"a","messages":[{"role":"user","content":"2+3?"}],"answer":"5"}', '{"id":"b","messages":[{"role":"user","content":"4+4?"}],"answer":"8"}'].join('\n'));
    const settings = { steps: 1, promptsPerStep: 2, groupSize: 2, microBatchRows: 4, optimizer: { lr: 0.05 }, decode: { maxNewTokens: 6 }, limits: { maxTurns: 1, maxTotalTokens: 64 }, checkpoint: { every: 1, keep: 1 } };
    writeFileSync(join(dir, 'exp.json'), JSON.stringify({ model: { path: join(dir, 'base') }, data: { train: join(dir, 'train.jsonl') }, runDir: join(dir, 'run'), settings }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    logs = [];
    spy = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
  });
  afterEach(() => spy.mockRestore());

  it('--dry-run prints the memory plan and loads nothing', async () => {
    expect(await main(['train', '--recipe', 'grpo', '--config', join(dir, 'exp.json'), '--lora.r', '4', '--dry-run'])).toBe(0);
    const out = logs.join('\n');
    expect(out).toMatch(/memory plan:/);
    expect(out).toMatch(/adapters .*LoRA r=4 on q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj/);
    expect(out).toMatch(/reference model .*the base with adapters off \(no copy\)/);
    expect(out).toMatch(/dry run: the plan fits/);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('refuses, before loading anything, a model above the backend limit and names the fix', async () => {
    // Only config.json is read: a 7B-class Qwen2 shape without weights.
    const big = join(dir, 'big');
    mkdirSync(big);
    const config = ModelConfig.toHfConfig(ModelConfig.create({ architecture: 'qwen2', vocabSize: 152064, hiddenSize: 3584, intermediateSize: 18944, numHiddenLayers: 28, numAttentionHeads: 28, numKeyValueHeads: 4 }));
    writeFileSync(join(big, 'config.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'big.json'), JSON.stringify({ model: { path: big }, data: { train: join(dir, 'train.jsonl') }, runDir: join(dir, 'run-big') }));
    await expect(main(['train', '--recipe', 'grpo', '--config', join(dir, 'big.json')])).rejects.toThrow(
      /The run needs about [\d.]+ GiB but the \w+ backend holds [\d.]+ GiB.*To fit: train LoRA adapters \(--lora\.r 16\)/s,
    );
    expect(existsSync(join(dir, 'run-big'))).toBe(false);
  });

  it('trains adapters only (the KL reference is the base), checkpoints them in PEFT layout, and exports adapter or merged model', async () => {
    const base = readSafetensors(join(dir, 'base', 'model.safetensors'));
    const start = readSafetensors(join(dir, 'start-adapter', 'adapter_model.safetensors'));
    const args = ['--lora.r', '4', '--lora.alpha', '8', '--lora.target-modules', 'q_proj,v_proj,down_proj', '--lora.adapter', join(dir, 'start-adapter')];
    expect(await main(['train', '--recipe', 'grpo', '--config', join(dir, 'exp.json'), ...args, '--set', 'regularizer/kl.coef=1'])).toBe(0);
    const metrics = JSON.parse(readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').split('\n')[0]);
    expect(metrics['regularizer/kl/kl']).toBeGreaterThan(0.01); // the adapted policy differs from the base
    const ckpt = join(dir, 'run', 'checkpoints', 'step-000001');
    const adapterConfig = JSON.parse(readFileSync(join(ckpt, 'adapter_config.json'), 'utf8'));
    expect(adapterConfig).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['q_proj', 'v_proj', 'down_proj'] });
    expect(existsSync(join(ckpt, 'model.safetensors'))).toBe(false);
    const trained = readSafetensors(join(ckpt, 'adapter_model.safetensors'));
    const b = trained.get('base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight')!;
    const b0 = start.get('base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight')!;
    expect(Math.max(...[...(b.data as Float32Array)].map((x, i) => Math.abs(x - (b0.data as Float32Array)[i])))).toBeGreaterThan(1e-4);
    const optimizer = readSafetensors(join(ckpt, 'optimizer.safetensors'));
    expect([...optimizer.keys()].every((k) => k.startsWith('base_model.model.') && k.includes('.lora_'))).toBe(true);

    expect(await main(['export', '--config', join(dir, 'exp.json'), '--checkpoint', ckpt, '--out', join(dir, 'adapter')])).toBe(0);
    expect(await main(['export', '--config', join(dir, 'exp.json'), '--checkpoint', ckpt, '--out', join(dir, 'merged'), '--merged'])).toBe(0);
    const { model: adapted } = await loadPretrained(join(dir, 'base'));
    loadAdapter(join(dir, 'adapter'), adapted);
    const { model: merged } = await loadPretrained(join(dir, 'merged'));
    const ids = tf.tensor2d([tokenizer.encode('what is 2+3?')], undefined, 'int32');
    const [x, y] = [adapted.logits(ids), merged.logits(ids)];
    expect(tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]).toBeLessThan(1e-5);
    // the base folder is untouched
    for (const [n, t] of readSafetensors(join(dir, 'base', 'model.safetensors'))) expect(t.data).toEqual(base.get(n)!.data);
    tf.dispose([ids, x, y]);
    adapted.dispose();
    merged.dispose();
  });
});
