/**
 * Policy benchmarks: `npm run bench -w @tirl/policy -- [--json] [--config toy|real] [--backend wasm-native|wasm|cpu]
 *   [--sections gemm,train,generate,nocache] [--unfused-head]`.
 * Prints one line per measurement (JSON objects with --json). Numbers are printed, not asserted.
 * `tools/bench/compare.ts` runs this and its PyTorch twin (`tools/bench/torch-compare.py`) in interleaved rounds.
 *
 * Configs:
 * - `toy`: hidden 128, 2 layers, 4 heads, vocab 256; train batch 16 x 64, generation batch 16, 64 new tokens.
 * - `real`: Qwen2.5-0.5B's layer shapes and vocabulary (hidden 896, 14 heads, 2 KV heads, intermediate 4864,
 *   vocab 151,936, tied head, q/k/v bias, θ = 1e6) with 2 layers; train batch 4 x 256, generation batch 4, 32 new tokens.
 */
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng, type BackendName } from '@tirl/core';
import { ByteTokenizer, createTinyModel, FusedAdamOptimizer, Policy, sampleToken, type CausalLM, type ModelConfigInput } from '../src';

interface BenchConfig {
  label: string;
  model: ModelConfigInput;
  train: { batch: number; seq: number; warmup: number; steps: number };
  generate: { batch: number; prompt: number; newTokens: number; runs: number };
}

const CONFIGS: Record<string, BenchConfig> = {
  toy: {
    label: 'llama h128 L2 heads4 kv4 ffn344 V256',
    model: { vocabSize: 256, hiddenSize: 128, intermediateSize: 344, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 4 },
    train: { batch: 16, seq: 64, warmup: 2, steps: 5 },
    generate: { batch: 16, prompt: 8, newTokens: 64, runs: 3 },
  },
  real: {
    label: 'qwen2.5-0.5b shapes h896 L2 heads14 kv2 ffn4864 V151936 tied',
    model: {
      architecture: 'qwen2', vocabSize: 151936, hiddenSize: 896, intermediateSize: 4864, numHiddenLayers: 2,
      numAttentionHeads: 14, numKeyValueHeads: 2, tieWordEmbeddings: true, ropeTheta: 1000000, rmsNormEps: 1e-6,
    },
    train: { batch: 4, seq: 256, warmup: 1, steps: 2 },
    generate: { batch: 4, prompt: 32, newTokens: 32, runs: 3 },
  },
};

const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string, fallback: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const configName = option('--config', 'toy');
const backendArg = option('--backend', 'wasm-native');
const sections = option('--sections', 'gemm,train,generate,nocache').split(',');
const fusedHead = !args.includes('--unfused-head');
const bench = CONFIGS[configName];
if (!bench) throw new Error(`--config must be one of ${Object.keys(CONFIGS).join(', ')}, got "${configName}"`);

function report(name: string, value: number, unit: string, extra: string, more: Record<string, unknown> = {}): void {
  const line = { name, value: Number(value.toFixed(2)), unit, backend: backendArg, config: `${bench.label}, ${extra}`, ...more };
  console.log(json ? JSON.stringify(line) : `${name}: ${line.value} ${unit} (${line.backend}; ${line.config})`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Bytes the wasm heap has grown to (it never shrinks, so this is the high-water mark); 0 on other backends. */
function wasmHeapBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPF32?: Float32Array } };
  return backend.wasm?.HEAPF32?.buffer.byteLength ?? 0;
}

/** Forward + backward + Adam; returns the loss. */
function trainStep(model: CausalLM, optimizer: tf.Optimizer, ids: tf.Tensor2D, mask: tf.Tensor2D): number {
  const { value, grads } = tf.variableGrads(
    () => tf.tidy(() => tf.neg(tf.div(tf.sum(model.logProbs(ids, mask, { fusedHead }).logProbs), tf.sum(mask)))) as tf.Scalar,
    model.trainableVariables(),
  );
  optimizer.applyGradients(grads);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

/** FLOPs of one train step: 3x the forward's matmul FLOPs (forward + two backward products). */
function trainFlops(model: CausalLM, B: number, T: number): number {
  const c = model.config;
  const N = B * T;
  const kv = c.numKeyValueHeads * c.headDim;
  const perLayer = 2 * N * c.hiddenSize * (2 * c.hiddenSize + 2 * kv + 3 * c.intermediateSize) + 2 * 2 * B * c.numAttentionHeads * T * T * c.headDim;
  return 3 * (c.numHiddenLayers * perLayer + 2 * N * c.hiddenSize * c.vocabSize);
}

/** GFLOP/s of one large product (the MLP's up projection at the train shape): the machine's GEMM peak here. */
function benchGemm(model: CausalLM): number {
  const { batch: B, seq: T } = bench.train;
  const [M, K, N] = [B * T, model.config.hiddenSize, model.config.intermediateSize];
  const a = tf.randomNormal([M, K]);
  const b = tf.randomNormal([N, K]);
  const rates: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b, false, true);
    c.dataSync();
    const ms = performance.now() - t0;
    c.dispose();
    if (i > 1) rates.push((2 * M * K * N) / 1e6 / ms);
  }
  tf.dispose([a, b]);
  const gflops = median(rates);
  report('gemm_gflops', gflops, 'GFLOP/s', `[${M}x${K}]·[${N}x${K}]ᵀ, median of 5`);
  return gflops;
}

function benchTrain(model: CausalLM, gemmPeak?: number): void {
  const { batch: B, seq: T, warmup, steps } = bench.train;
  const V = model.config.vocabSize;
  const rng = new Rng(1);
  const ids = tf.tensor2d(Int32Array.from({ length: B * T }, () => rng.int(V)), [B, T], 'int32');
  const mask = tf.ones([B, T]) as tf.Tensor2D;
  const optimizer = new FusedAdamOptimizer(1e-3);
  const losses: number[] = [];
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup; i++) losses.push(trainStep(model, optimizer, ids, mask));
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      losses.push(trainStep(model, optimizer, ids, mask));
      times.push(performance.now() - t0);
    }
  } catch (e) {
    // Out of memory (the wasm heap stops at 4 GiB) is a result too: say where the heap stood.
    const line = { name: 'train_step_ms', error: String((e as Error).message ?? e).split('\n')[0], backend: backendArg, peak_heap_mb: Math.round(wasmHeapBytes() / 2 ** 20), fused_head: fusedHead, config: bench.label };
    console.log(json ? JSON.stringify(line) : `train_step_ms: failed (${line.error}); wasm heap ${line.peak_heap_mb} MiB`);
    tf.dispose([ids, mask]);
    optimizer.dispose();
    return;
  }
  const ms = median(times);
  const gflop = trainFlops(model, B, T) / 1e9;
  report('train_step_ms', ms, 'ms', `batch ${B}, seq ${T}, forward+backward+Adam, median of ${steps}`, {
    gflop_per_step: Number(gflop.toFixed(1)),
    gflops: Number((gflop / (ms / 1000)).toFixed(1)),
    ...(gemmPeak ? { share_of_gemm_peak: Number((gflop / (ms / 1000) / gemmPeak).toFixed(3)) } : {}),
    peak_heap_mb: Math.round(wasmHeapBytes() / 2 ** 20),
    loss_first: Number(losses[0].toFixed(4)),
    loss_last: Number(losses[losses.length - 1].toFixed(4)),
    fused_head: fusedHead,
  });
  tf.dispose([ids, mask]);
  optimizer.dispose();
}

const prompts = (B: number, P: number, V: number) =>
  Array.from({ length: B }, (_, b) => Array.from({ length: P }, (_, t) => (b * 31 + t * 7) % Math.min(V, 256)));

async function benchGenerate(model: CausalLM): Promise<void> {
  const { batch: B, prompt: P, newTokens, runs } = bench.generate;
  const policy = new Policy(model, new ByteTokenizer());
  const run = async () => {
    const session = policy.startSession();
    const rows = prompts(B, P, model.config.vocabSize).map((p) => session.add(p));
    const t0 = performance.now();
    const out = await session.generate(rows, { maxNewTokens: newTokens, stopTokenIds: [] }, new Rng(2));
    const ms = performance.now() - t0;
    session.dispose();
    return out.reduce((n, r) => n + r.tokenIds.length, 0) / (ms / 1000);
  };
  await run();
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) rates.push(await run());
  report('generate_tokens_per_s', median(rates), 'tokens/s', `batch ${B}, prompt ${P}, ${newTokens} new tokens, KV cache, median of ${runs}`);
}

function benchGenerateNoCache(model: CausalLM): void {
  const { batch: B, prompt: P, newTokens } = bench.generate;
  const V = model.config.vocabSize;
  const seqs = prompts(B, P, V);
  const rng = new Rng(3);
  const t0 = performance.now();
  for (let step = 0; step < newTokens; step++) {
    const T = seqs[0].length;
    const logits = tf.tidy(() => {
      const all = model.logits(tf.tensor2d(seqs, undefined, 'int32'));
      return tf.reshape(tf.slice(all, [0, T - 1, 0], [-1, 1, -1]), [seqs.length, V]);
    });
    const data = logits.dataSync();
    logits.dispose();
    seqs.forEach((s, b) => s.push(sampleToken(data.subarray(b * V, (b + 1) * V), {}, rng).token));
  }
  const ms = performance.now() - t0;
  report('generate_tokens_per_s_nocache', (B * newTokens) / (ms / 1000), 'tokens/s', `batch ${B}, prompt ${P}, ${newTokens} new tokens, full recomputation per token`);
}

async function main(): Promise<void> {
  if (!['wasm-native', 'wasm', 'cpu'].includes(backendArg)) throw new Error(`--backend must be wasm-native, wasm or cpu, got "${backendArg}"`);
  const known = ['gemm', 'train', 'generate', 'nocache'];
  const unknown = sections.filter((s) => !known.includes(s));
  if (unknown.length > 0) throw new Error(`--sections: unknown "${unknown.join(',')}"; allowed: ${known.join(', ')}`);
  const backend = await initBackend({ force: backendArg as BackendName });
  if (!json) console.log(`backend ${backend.name}${backend.detail ? ` [${backend.detail}]` : ''}`);
  const model = createTinyModel(bench.model, 0);
  const peak = sections.includes('gemm') ? benchGemm(model) : undefined;
  if (sections.includes('train')) benchTrain(model, peak);
  if (sections.includes('generate')) await benchGenerate(model);
  if (sections.includes('nocache')) benchGenerateNoCache(model);
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
