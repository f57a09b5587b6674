import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTinyModel, loadPretrained, ModelConfig, savePretrained, type CausalLM } from '../src';
import { maxAbsDiff } from './helpers';
import { referenceLogits } from './reference-forward';

/** Qwen2-style: q/k/v bias, tied head, one KV head shared by 4 query heads, θ = 1e6. */
const QWEN2 = ModelConfig.create({
  architecture: 'qwen2',
  vocabSize: 50,
  hiddenSize: 32,
  intermediateSize: 48,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  numKeyValueHeads: 1,
  tieWordEmbeddings: true,
  ropeTheta: 1e6,
  rmsNormEps: 1e-6,
});
const IDS = [3, 17, 42, 8, 8, 29, 0, 49, 11];

function plainWeights(model: CausalLM) {
  return new Map([...model.namedWeights()].map(([n, v]) => [n, { shape: v.shape, data: v.dataSync() }]));
}

function logitsOf(model: CausalLM, ids: number[]): number[][] {
  const t = tf.tensor2d([ids], undefined, 'int32');
  const out = model.logits(t);
  const arr = out.arraySync()[0];
  tf.dispose([t, out]);
  return arr;
}

describe('Qwen2-style model (bias, tied head, one KV head)', () => {
  // std 0.2 makes the logits far from uniform, so a wrong rotary or head grouping would show.
  const model = createTinyModel(QWEN2, 11, { std: 0.2 });
  afterAll(() => model.dispose());

  it('matches the plain-JS float64 reference forward within 1e-4', () => {
    const expected = referenceLogits(model.config, plainWeights(model), IDS);
    const spread = Math.max(...expected.flat()) - Math.min(...expected.flat());
    expect(spread).toBeGreaterThan(1); // a meaningful comparison, not two near-zero tensors
    expect(maxAbsDiff(logitsOf(model, IDS), expected)).toBeLessThan(1e-4);
  });

  it('has q/k/v biases and no lm_head', () => {
    const names = [...model.namedWeights().keys()];
    expect(names).toContain('model.layers.0.self_attn.q_proj.bias');
    expect(names).not.toContain('model.layers.0.self_attn.o_proj.bias');
    expect(names).not.toContain('lm_head.weight');
  });

  it.each([
    ['one file', undefined, ['config.json', 'model.safetensors']],
    // 64,768 bytes of float32 weights (embed 6,400 + 2 × 29,120 per layer + norm 128) in ≤ 20 kB shards → 4 files
    ['shards', 20_000, ['config.json', 'model-00001-of-00004.safetensors', 'model-00004-of-00004.safetensors', 'model.safetensors.index.json']],
  ] as const)('save/load round trip (%s) keeps config and logits exactly', async (_, maxShardBytes, files) => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-qwen2-'));
    try {
      await savePretrained(dir, model, undefined, { maxShardBytes });
      expect(readdirSync(dir)).toEqual(expect.arrayContaining([...files]));
      const loaded = await loadPretrained(dir);
      expect(loaded.config).toEqual(model.config);
      expect(maxAbsDiff(logitsOf(loaded.model, IDS), logitsOf(model, IDS))).toBe(0);
      loaded.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('config converts to and from Hugging Face config.json', () => {
    const hf = ModelConfig.toHfConfig(QWEN2);
    expect(hf).toMatchObject({ architectures: ['Qwen2ForCausalLM'], num_key_value_heads: 1, tie_word_embeddings: true, rope_theta: 1e6 });
    expect(ModelConfig.fromHfConfig(hf)).toEqual(QWEN2);
  });
});
