import * as tf from '@tensorflow/tfjs-core';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBatch, composeRun, segmentImage, type Sample, type SegmentImage } from '@tirl/core';
import { loadAdapter, loadPretrainedVlm, readSafetensors, saveAdapter, VlmPolicy, VlmTrainable } from '@tirl/policy';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { evaluate, train } from '../src';
import { readExperimentFile } from '../src/cli/config';
import { loadModelFor } from '../src/cli/model-setup';
import { main } from '../src/cli/main';

/**
 * `tirl train` on an Idefics3 folder: the tiny checkpoint the project makes (`make-vlm-fixtures.py`),
 * samples whose user message carries an image, the memory plan with image tokens, and a checkpoint that
 * is the whole vision-language folder.
 */
const FIXTURE = join(__dirname, '..', '..', 'policy', 'test', 'fixtures', 'tiny-idefics3');
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as { images: { width: number; height: number; rgb: number[] }[] };
const images: SegmentImage[] = expected.images.map((im) => segmentImage(im.width, im.height, Uint8Array.from(im.rgb)));
// 24×20 and 16×40: the first is split 2×2, the second 2 rows × 1 column (vlm-prompt-images.test.ts).
const samples: Sample[] = [
  { id: 'a', messages: [{ role: 'user', content: 'Count.', images: [images[2]] }], answer: '2' },
  { id: 'b', messages: [{ role: 'user', content: 'Colour?', images: [images[1]] }], answer: 'red' },
];

/** Test reward with variance inside every group: the first generated token id over 1000, added to the recipe's. */
const firstTokenReward = definePlugin({
  kind: 'reward',
  name: 'first-token-id',
  summary: 'Test reward: first generated token id / 1000',
  options: z.object({}).strict(),
  create: () => ({
    score: ({ trajectories }) => ({ scores: trajectories.map((t) => (t.segments.find((x) => x.source === 'policy')?.tokenIds[0] ?? 0) / 1000) }),
  }),
});

describe('tirl train on a vision-language folder', () => {
  let dir: string;
  let logs: string[];
  let spy: jest.SpyInstance;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tirl-cli-vlm-'));
    cpSync(FIXTURE, join(dir, 'base'), { recursive: true });
    rmSync(join(dir, 'base', 'expected.json'));
    writeFileSync(join(dir, 'train.jsonl'), samples.map((s) => JSON.stringify(s)).join('\n'));
    const settings = { seed: 3, steps: 1, promptsPerStep: 2, groupSize: 2, microBatchRows: 4, optimizer: { lr: 0.05 }, decode: { maxNewTokens: 4 }, limits: { maxTurns: 1, maxTotalTokens: 16 }, checkpoint: { every: 1, keep: 1 } };
    writeFileSync(join(dir, 'exp.json'), JSON.stringify({ model: { path: join(dir, 'base') }, data: { train: join(dir, 'train.jsonl') }, runDir: join(dir, 'run'), settings }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    logs = [];
    spy = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
  });
  afterEach(() => spy.mockRestore());

  it('--dry-run: the memory plan counts the largest prompt image and the frozen tower; nothing is loaded', async () => {
    expect(await main(['train', '--recipe', 'grpo', '--config', join(dir, 'exp.json'), '--dry-run'])).toBe(0);
    const out = logs.join('\n');
    // 24×20 → 2×2 tiles + global. Per tile <fake><row_r_col_c> + 4 <image> = 6 tokens (×4 = 24), a newline
    // after each tile row and one more (3), then <fake><global-img> + 4 <image> + <fake> = 7: 34 tokens, 5 frames.
    // 16×40 → 2 tiles (12) + 3 newlines + 7 = 22 tokens, 3 frames. The larger prompt counts.
    expect(out).toMatch(/image tokens per row: 34 from the largest prompt's images \(2 samples\) \+ 0 tool-image cap/);
    expect(out).toMatch(/; 5 frames per row/);
    expect(out).toMatch(/vision tower \(frozen\)/);
    expect(out).toMatch(/dry run: the plan fits/);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('rollouts show the prompt images through the KV cache: behaviour log-probs equal the update’s recompute with the images', async () => {
    const vlm = await loadPretrainedVlm(join(dir, 'base'));
    try {
      const recipe = composeRun({ recipe: 'grpo', overrides: [['decode.maxNewTokens=5', 'limits.maxTurns=1', 'limits.maxTotalTokens=16']] });
      const policy = new VlmPolicy(vlm.model, vlm.processor, vlm.tokenizer!);
      const { trajectories } = await evaluate({ recipe, model: vlm.model.text, policy, tokenizer: vlm.tokenizer!, dataset: samples, seed: 5 });
      expect(trajectories.map((t) => t.segments[0].images)).toEqual([[images[2]], [images[1]]]);
      const batch = buildBatch(trajectories, { padTokenId: vlm.tokenizer!.padTokenId });
      const trainable = new VlmTrainable(vlm.model, vlm.processor);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.mul(tf.sub(trainable.batchLogProbs(batch).logProbs, batch.oldLogProbs), batch.lossMask))).dataSync()[0]);
      const trained = batch.lossMaskValues.reduce((a, b) => a + b, 0);
      batch.dispose();
      expect(trained).toBeGreaterThan(0);
      expect(diff).toBeLessThan(1e-4);
    } finally {
      vlm.model.dispose();
    }
  }, 120_000);

  it('trains and checkpoints the whole Idefics3 folder under upstream names (vision tower unchanged), then resumes from it', async () => {
    expect(await main(['train', '--recipe', 'grpo', '--config', join(dir, 'exp.json')])).toBe(0);
    const metrics = JSON.parse(readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').split('\n')[0]);
    expect(Number.isFinite(metrics['loss/total'])).toBe(true);
    const ckpt = join(dir, 'run', 'checkpoints', 'step-000001');
    expect(JSON.parse(readFileSync(join(ckpt, 'config.json'), 'utf8')).model_type).toBe('idefics3');
    expect(existsSync(join(ckpt, 'preprocessor_config.json'))).toBe(true);
    const before = readSafetensors(join(dir, 'base', 'model.safetensors'));
    const after = readSafetensors(join(ckpt, 'model.safetensors'));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const same = (name: string) => Array.from(after.get(name)!.data as Float32Array).every((v, i) => v === (before.get(name)!.data as ArrayLike<number>)[i]);
    const names = [...before.keys()];
    const vision = names.filter((n) => n.startsWith('model.vision_model.') || n.startsWith('model.connector.'));
    expect(vision.length).toBeGreaterThan(0);
    expect(vision.every(same)).toBe(true);
    // The checkpoint loads back as a vision-language model, and --resume continues from it.
    const loaded = await loadPretrainedVlm(ckpt);
    loaded.model.dispose();
    expect(await main(['train', '--recipe', 'grpo', '--config', join(dir, 'exp.json'), '--resume', '--set', 'steps=2'])).toBe(0);
    expect(existsSync(join(dir, 'run', 'checkpoints', 'step-000002', 'model.safetensors'))).toBe(true);
  }, 300_000);

  it('LoRA: checkpoints and exports the text model’s adapter in the Idefics3 PEFT layout; adapter + base equals the merged export', async () => {
    const exp = JSON.parse(readFileSync(join(dir, 'exp.json'), 'utf8'));
    writeFileSync(join(dir, 'exp-lora.json'), JSON.stringify({ ...exp, runDir: join(dir, 'run-lora') }));
    // A start adapter with B ≠ 0 (read through --lora.adapter in the same layout), so the adapter visibly moves the model.
    const start = await loadPretrainedVlm(join(dir, 'base'));
    start.model.text.addAdapter({ r: 2, alpha: 4, targetModules: ['q_proj', 'v_proj'] }, 1);
    for (const [name, v] of start.model.text.trainableWeights()) if (name.includes('lora_B')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', 4));
    saveAdapter(join(dir, 'start-adapter'), start.model.text, { layout: 'idefics3' });
    start.model.dispose();
    const lora = ['--lora.r', '2', '--lora.alpha', '4', '--lora.target-modules', 'q_proj,v_proj', '--lora.adapter', join(dir, 'start-adapter')];
    expect(await main(['train', '--recipe', 'grpo', '--config', join(dir, 'exp-lora.json'), ...lora])).toBe(0);
    const ckpt = join(dir, 'run-lora', 'checkpoints', 'step-000001');
    const names = [...readSafetensors(join(ckpt, 'adapter_model.safetensors')).keys()];
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.startsWith('base_model.model.model.text_model.layers.'))).toBe(true);
    expect(await main(['train', '--recipe', 'grpo', '--config', join(dir, 'exp-lora.json'), ...lora, '--resume', '--set', 'steps=2'])).toBe(0);
    const last = join(dir, 'run-lora', 'checkpoints', 'step-000002');
    expect(await main(['export', '--config', join(dir, 'exp-lora.json'), '--checkpoint', last, '--out', join(dir, 'vlm-adapter'), ...lora])).toBe(0);
    expect(await main(['export', '--config', join(dir, 'exp-lora.json'), '--checkpoint', last, '--out', join(dir, 'vlm-merged'), '--merged', ...lora])).toBe(0);
    expect(existsSync(join(dir, 'vlm-adapter', 'model.safetensors'))).toBe(false);
    const adapted = await loadPretrainedVlm(join(dir, 'base'));
    loadAdapter(join(dir, 'vlm-adapter'), adapted.model.text, { layout: 'idefics3' });
    const merged = await loadPretrainedVlm(join(dir, 'vlm-merged'));
    const policy = new VlmPolicy(adapted.model, adapted.processor, adapted.tokenizer!);
    const prompt = policy.encodeChat(samples[0].messages);
    const ids = tf.tensor2d([prompt.ids], undefined, 'int32');
    const processed = [prompt.images.map((im) => adapted.processor.processImage({ width: im.width, height: im.height, data: new Uint8Array(Buffer.from(im.rgbBase64, 'base64')) }))];
    const [x, y] = [adapted.model.logits(ids, processed), merged.model.logits(ids, processed)];
    // float32 rounding of W + s·B·A in the merged weights
    expect(tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]).toBeLessThan(1e-4);
    // the adapter moved the model: the base alone differs
    const base = await loadPretrainedVlm(join(dir, 'base'));
    const z = base.model.logits(ids, processed);
    expect(tf.max(tf.abs(tf.sub(x, z))).dataSync()[0]).toBeGreaterThan(1e-3);
    tf.dispose([ids, x, y, z]);
    [adapted, merged, base].forEach((m) => m.model.dispose());
  }, 300_000);

  it('a reward with variance moves the decoder only (the model the CLI loads, trained by train())', async () => {
    const file = readExperimentFile(join(dir, 'exp.json'));
    const { model, tokenizer, vision } = await loadModelFor(file, {});
    const before = new Map([...vision!.model.namedWeights()].map(([n, v]) => [n, v.dataSync().slice()]));
    const recipe = composeRun(
      { recipe: 'grpo', overrides: [{ from: 'test', plugins: [['reward/first-token-id', {}]] }, ['steps=1', 'promptsPerStep=2', 'groupSize=2', 'decode.maxNewTokens=4', 'limits.maxTurns=1', 'limits.maxTotalTokens=16', 'checkpoint.every=0']] },
    );
    try {
      await train({ recipe, model, tokenizer, dataset: samples, runDir: join(dir, 'run-variance'), vision, progress: false, log: () => undefined, plugins: [firstTokenReward], serviceOverrides: [], overwrite: true, services: [] });
      const moved = (n: string) => vision!.model.namedWeights().get(n)!.dataSync().some((v, i) => v !== before.get(n)![i]);
      const names = [...before.keys()];
      expect(names.filter((n) => n.startsWith('model.vision_model.') || n.startsWith('model.connector.')).some(moved)).toBe(false);
      expect(names.filter((n) => n.startsWith('model.text_model.')).some(moved)).toBe(true);
    } finally {
      vision!.model.dispose();
    }
  }, 300_000);

  it('refuses a critic (GAE) recipe for a vision-language model, naming the way out', async () => {
    await expect(main(['train', '--recipe', 'ppo', '--config', join(dir, 'exp.json'), '--overwrite'])).rejects.toThrow(/needs value estimates \(a critic\).*critic-free advantages/);
  }, 120_000);
});
