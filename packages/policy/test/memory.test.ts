import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@tirl/core';
import { assertFits, CausalLM, createTinyModel, embed, expectedShapes, memoryPlan, ModelConfig, outOfMemoryError, Policy, WASM_HEAP_BYTES } from '../src';
import { DecimalTokenizer, maxAbsDiff } from './helpers';

/** Qwen2.5-0.5B's config.json fields (hidden 896, 24 layers, 14 heads / 2 KV heads, ffn 4864, 151936 tokens, tied). */
const QWEN25_05B = ModelConfig.create({
  architecture: 'qwen2',
  vocabSize: 151936,
  hiddenSize: 896,
  intermediateSize: 4864,
  numHiddenLayers: 24,
  numAttentionHeads: 14,
  numKeyValueHeads: 2,
  tieWordEmbeddings: true,
  ropeTheta: 1e6,
});
/** SmolLM2-135M: hidden 576, 30 layers, 9 heads / 3 KV heads, ffn 1536, 49152 tokens, tied. */
const SMOLLM2_135M = ModelConfig.create({
  vocabSize: 49152,
  hiddenSize: 576,
  intermediateSize: 1536,
  numHiddenLayers: 30,
  numAttentionHeads: 9,
  numKeyValueHeads: 3,
  tieWordEmbeddings: true,
  ropeTheta: 100000,
});
const RUN = { microBatchRows: 1, sequenceLength: 256, rolloutRows: 8, rolloutContext: 256, limitBytes: WASM_HEAP_BYTES, backend: 'wasm' };

describe('memory plan', () => {
  it('counts the published parameter numbers of Qwen2.5-0.5B and SmolLM2-135M', () => {
    // Qwen2.5-0.5B by hand: embed 151936·896 = 136,134,656; per layer q 896·896+896, k and v 128·896+128,
    // o 896·896, norms 2·896, MLP 3·4864·896 → 14,912,384; × 24 + final norm 896 → 494,032,768.
    const qwen = memoryPlan({ config: QWEN25_05B, ...RUN });
    expect(qwen.parameters).toBe(494_032_768);
    // LoRA r=16 on all seven projections: per layer 16·(896+896)·2 (q, o) + 16·(128+896)·2 (k, v)
    // + 16·(4864+896)·3 (MLP) = 366,592; × 24 = 8,798,208 (what PEFT prints for this model).
    const lora = memoryPlan({ config: QWEN25_05B, lora: { r: 16, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] }, ...RUN });
    expect(lora.trainableParameters).toBe(8_798_208);
    // SmolLM2-135M: 49152·576 + 30 · (2·576·576 + 2·192·576 + 3·1536·576 + 2·576) + 576 = 134,515,008
    expect(memoryPlan({ config: SMOLLM2_135M, ...RUN }).parameters).toBe(134_515_008);
  });

  it('charges optimizer state for trainable values only, and no reference copy under LoRA', () => {
    const full = memoryPlan({ config: SMOLLM2_135M, ...RUN, reference: true });
    const item = (p: typeof full, name: string) => p.items.find((i) => i.name === name)!.bytes;
    expect(item(full, 'optimizer state')).toBe(2 * 4 * 134_515_008);
    // The accumulated sum and one micro-batch's gradients, float32 (RUN does not say how many rows an update takes).
    expect(item(full, 'gradients (train)')).toBe(2 * 4 * 134_515_008);
    // One micro-batch per update: the backward pass's own gradients are what the update takes.
    expect(item(memoryPlan({ config: SMOLLM2_135M, ...RUN, updateRows: 1 }), 'gradients (train)')).toBe(4 * 134_515_008);
    expect(item(memoryPlan({ config: SMOLLM2_135M, ...RUN, updateRows: 4 }), 'gradients (train)')).toBe(2 * 4 * 134_515_008);
    // The update: clipping replaces one gradient at a time, so all 134,515,008 + a copy of the largest
    // (the tied embedding, 49152·576 = 28,311,552) → 162,826,560 floats; above any pending + 3 · size
    // (the embedding, last: 4 · 28,311,552 = 113,246,208).
    expect(item(full, 'optimizer update')).toBe(4 * 162_826_560);
    expect(item(full, 'reference model')).toBe(4 * 134_515_008);
    const lora = memoryPlan({ config: SMOLLM2_135M, lora: { r: 8, targetModules: ['q_proj', 'v_proj'] }, ...RUN, reference: true });
    // r · (in + out) per projection: q 8·(576+576), v 8·(576+192) → 15,360 per layer, × 30
    expect(lora.trainableParameters).toBe(460_800);
    expect(item(lora, 'optimizer state')).toBe(2 * 4 * 460_800);
    expect(item(lora, 'reference model')).toBe(0);
    const ckpt = memoryPlan({ config: SMOLLM2_135M, ...RUN, gradientCheckpointing: true });
    expect(item(ckpt, 'activations (train)')).toBeLessThan(item(full, 'activations (train)') / 10);
  });

  it('plans the optimizer update from its mechanics: smallest variable first, three temporaries of each', () => {
    // vocab 1000 × hidden 8 (tied) = 8000; one layer: q, o 8·8, k, v 4·8 (1 KV head of 4), gate, up, down 8·8,
    // two norms 8; final norm 8 → 8000 + 400 + 8 = 8408 trainable. The embedding goes last with its own
    // gradient and three temporaries: 4 · 8000 = 32,000 floats, above clipping's 8408 + 8000 = 16,408.
    const tiny = ModelConfig.create({ vocabSize: 1000, hiddenSize: 8, intermediateSize: 8, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1, tieWordEmbeddings: true });
    const plan = memoryPlan({ config: tiny, ...RUN, updateRows: 1 });
    expect(plan.trainableParameters).toBe(8408);
    expect(plan.items.find((i) => i.name === 'optimizer update')!.bytes).toBe(4 * 32_000);
    // The no-gradient log-probs of 8 rollout rows × 256 tokens (R = 2048): per token one layer's
    // intermediates 5·8 + 5·8 + 4·4 + 3·2·256 + 5·8 = 1672, the layer input and output 2·8, every layer's
    // keys/values 2·1·4 → 1696; fused head: 3 per token → 2048 · 1699 = 3,479,552 floats. The stock head
    // instead: 7 · 2048 · 1000 + 2 · 1000 · 8 → 2048 · 1696 + 14,352,000 = 17,825,408.
    const noGrad = (p: typeof plan) => p.items.find((i) => i.name === 'log-probs pass (no gradient)')!.bytes;
    expect(noGrad(memoryPlan({ config: tiny, ...RUN, fusedKernels: true }))).toBe(4 * 3_479_552);
    expect(noGrad(plan)).toBe(4 * 17_825_408);
  });

  it('turns a wasm heap that ran out into an error naming the fixes, and leaves other errors alone', () => {
    const oom = outOfMemoryError(new Error('memory access out of bounds'), 'wasm', 'in step 1');
    expect(oom?.message).toMatch(/^The wasm backend ran out of memory in step 1 \(memory access out of bounds\)\..*--lora\.r 16.*--gradient-checkpointing.*tfjs-node/s);
    expect(outOfMemoryError(new Error('Aborted(OOM). Build with -sASSERTIONS for more info.'), 'wasm', 'in step 3')).toBeDefined();
    expect(outOfMemoryError(new TypeError('x is not a function'), 'wasm', 'in step 1')).toBeUndefined();
  });

  it('refuses a run above the wasm heap, naming the fixes', () => {
    const big = ModelConfig.create({ ...QWEN25_05B, numHiddenLayers: 64, intermediateSize: 8960, hiddenSize: 1536, numAttentionHeads: 12 });
    const plan = memoryPlan({ config: big, ...RUN });
    expect(plan.fits).toBe(false);
    expect(() => assertFits(plan)).toThrow(/needs about .* GiB but the wasm backend holds 4\.00 GiB.*LoRA adapters \(--lora\.r 16\).*gradient checkpointing/s);
    // With the fused kernels; on stock wasm the no-gradient head over 8 × 256 rollout tokens alone would
    // hold 7 × [2048, 151936] floats (8.7 GB).
    expect(() => assertFits(memoryPlan({ config: QWEN25_05B, lora: { r: 16, targetModules: ['q_proj'] }, ...RUN, gradientCheckpointing: true, fusedKernels: true }))).not.toThrow();
    expect(memoryPlan({ config: QWEN25_05B, lora: { r: 16, targetModules: ['q_proj'] }, ...RUN, gradientCheckpointing: true }).fits).toBe(false);
  });
});

describe('weights handed over in another dtype', () => {
  it('are cast to float32 without pinning the cast copy once a weight is updated', () => {
    const config = ModelConfig.create({ vocabSize: 20, hiddenSize: 8, intermediateSize: 8, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 });
    const ints = new Map([...expectedShapes(config)].map(([name, shape]) => [name, tf.ones(shape, 'int32')]));
    const before = tf.memory().numBytes;
    const model = new CausalLM(config, ints);
    const w = model.namedWeights().get('model.embed_tokens.weight')!;
    const held = tf.memory().numBytes;
    tf.tidy(() => {
      w.assign(tf.mul(w, 2));
    });
    // the old float32 value is freed, not kept alive by a leftover cast handle
    expect(tf.memory().numBytes).toBe(held);
    expect(w.dataSync()[0]).toBe(2);
    model.dispose();
    expect(tf.memory().numBytes).toBeLessThanOrEqual(before);
    tf.dispose([...ints.values()]);
  });
});

describe('embedding gradient', () => {
  it('sums repeated ids without building an [N, V] one-hot', () => {
    const V = 5000;
    const table = tf.randomNormal([V, 3], 0, 1, 'float32', 1);
    const ids = tf.tensor1d([7, 4999, 7, 0], 'int32');
    const w = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 0, 1]]);
    let grad!: tf.Tensor;
    const profile = tf.profile(() => {
      grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embed(t as tf.Tensor2D, ids), w)))(table);
    });
    return profile.then((info) => {
      const g = grad.arraySync() as number[][];
      // row 7 ← w[0] + w[2]; row 4999 ← w[1]; row 0 ← w[3]; every other row 0
      expect([g[7], g[4999], g[0], g[1]]).toEqual([[8, 10, 12], [4, 5, 6], [1, 0, 1], [0, 0, 0]]);
      const oneHots = info.kernels.filter((k) => k.name === 'OneHot');
      expect(oneHots.length).toBeGreaterThan(0);
      expect(oneHots.every((k) => k.outputShapes[0][1] === 3)).toBe(true); // 3 distinct ids, not V
      tf.dispose([table, ids, w, grad]);
    });
  });
});

describe('gradient checkpointing', () => {
  const CONFIG = ModelConfig.create({ architecture: 'qwen3', vocabSize: 40, hiddenSize: 24, intermediateSize: 40, numHiddenLayers: 3, numAttentionHeads: 4, numKeyValueHeads: 2, headDim: 8 });
  const IDS = [[3, 17, 22, 8, 8, 29, 0, 39], [1, 2, 3, 4, 5, 6, 7, 8]];
  const MASK = [[1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 1, 1]];
  function grads(model: CausalLM): Map<string, number[]> {
    const ids = tf.tensor2d(IDS, undefined, 'int32');
    const mask = tf.tensor2d(MASK);
    const vars = model.trainableWeights();
    const { grads: g, value } = tf.variableGrads(() => tf.neg(tf.sum(model.logProbs(ids, mask).logProbs)) as tf.Scalar, [...vars.values()]);
    const out = new Map([...vars].map(([name, v]) => [name, [...g[v.name].dataSync()]]));
    tf.dispose([...Object.values(g), value, ids, mask]);
    return out;
  }

  it.each([
    ['full fine-tuning', false],
    ['LoRA', true],
  ])('gives the same gradients as keeping activations (%s), without leaking', (_, lora) => {
    const model = createTinyModel(CONFIG, 2, { std: 0.2 });
    if (lora) {
      model.addAdapter({ r: 2, alpha: 4 });
      for (const { b } of model.adapter!.pairs.values()) b.assign(tf.randomNormal(b.shape, 0, 0.3, 'float32', 5));
    }
    const plain = grads(model);
    model.gradientCheckpointing = true;
    model.training = true;
    const before = tf.memory().numTensors;
    const recomputed = grads(model);
    model.training = false;
    expect(tf.memory().numTensors).toBe(before);
    expect([...recomputed.keys()]).toEqual([...plain.keys()]);
    for (const [name, g] of plain) expect(maxAbsDiff(recomputed.get(name), g)).toBeLessThan(1e-5);
    // decoding with the option on still fills the KV cache (checkpointing applies only while training)
    const session = new Policy(model, new DecimalTokenizer(CONFIG.vocabSize)).startSession();
    const row = session.add([1, 2, 3]);
    expect((session.generateSync([row], { maxNewTokens: 3, temperature: 0, stopTokenIds: [] }, new Rng(0)))[0].tokenIds).toHaveLength(3);
    session.dispose();
    model.dispose();
  });
});
