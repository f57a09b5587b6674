/**
 * Policy benchmarks: `npm run bench -w @tirl/policy -- [--json] [--backend wasm|cpu]`.
 * Prints one line per measurement (JSON objects with --json). Numbers are printed, not asserted.
 */
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@tirl/core';
import { ByteTokenizer, createTinyModel, Policy, sampleToken, type CausalLM } from '../src';

const args = process.argv.slice(2);
const json = args.includes('--json');
const backendArg = args.includes('--backend') ? args[args.indexOf('--backend') + 1] : 'wasm';
const CONFIG = { vocabSize: 256, hiddenSize: 128, intermediateSize: 344, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 4 };
const configLabel = 'llama h128 L2 heads4 kv4 ffn344 V256';

function report(name: string, value: number, unit: string, extra: string): void {
  const line = { name, value: Number(value.toFixed(2)), unit, backend: tf.getBackend(), config: `${configLabel}, ${extra}` };
  console.log(json ? JSON.stringify(line) : `${name}: ${line.value} ${unit} (${line.backend}; ${line.config})`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function trainStep(model: CausalLM, optimizer: tf.Optimizer, ids: tf.Tensor2D, mask: tf.Tensor2D): void {
  const { value, grads } = tf.variableGrads(
    () => tf.tidy(() => tf.neg(tf.div(tf.sum(model.logProbs(ids, mask).logProbs), tf.sum(mask)))) as tf.Scalar,
    model.trainableVariables(),
  );
  optimizer.applyGradients(grads);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
}

function benchTrain(model: CausalLM): void {
  const B = 16;
  const T = 64;
  const rng = new Rng(1);
  const ids = tf.tensor2d(Int32Array.from({ length: B * T }, () => rng.int(256)), [B, T], 'int32');
  const mask = tf.ones([B, T]) as tf.Tensor2D;
  const optimizer = tf.train.adam(1e-3);
  for (let i = 0; i < 2; i++) trainStep(model, optimizer, ids, mask);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    trainStep(model, optimizer, ids, mask);
    times.push(performance.now() - t0);
  }
  report('train_step_ms', median(times), 'ms', `batch ${B}, seq ${T}, forward+backward+Adam, median of 5`);
  tf.dispose([ids, mask]);
  optimizer.dispose();
}

const prompts = (B: number) => Array.from({ length: B }, (_, b) => Array.from({ length: 8 }, (_, t) => (b * 31 + t * 7) % 256));

async function benchGenerate(model: CausalLM): Promise<void> {
  const policy = new Policy(model, new ByteTokenizer());
  const run = async () => {
    const session = policy.startSession();
    const rows = prompts(16).map((p) => session.add(p));
    const t0 = performance.now();
    const out = await session.generate(rows, { maxNewTokens: 64, stopTokenIds: [] }, new Rng(2));
    const ms = performance.now() - t0;
    session.dispose();
    return out.reduce((n, r) => n + r.tokenIds.length, 0) / (ms / 1000);
  };
  await run();
  report('generate_tokens_per_s', median([await run(), await run(), await run()]), 'tokens/s', 'batch 16, prompt 8, 64 new tokens, KV cache');
}

function benchGenerateNoCache(model: CausalLM): void {
  const seqs = prompts(16);
  const rng = new Rng(3);
  const t0 = performance.now();
  for (let step = 0; step < 64; step++) {
    const T = seqs[0].length;
    const logits = tf.tidy(() => {
      const all = model.logits(tf.tensor2d(seqs, undefined, 'int32'));
      return tf.reshape(tf.slice(all, [0, T - 1, 0], [-1, 1, -1]), [seqs.length, 256]);
    });
    const data = logits.dataSync();
    logits.dispose();
    seqs.forEach((s, b) => s.push(sampleToken(data.subarray(b * 256, (b + 1) * 256), {}, rng).token));
  }
  const ms = performance.now() - t0;
  report('generate_tokens_per_s_nocache', (16 * 64) / (ms / 1000), 'tokens/s', 'batch 16, prompt 8, 64 new tokens, full recomputation per token');
}

async function main(): Promise<void> {
  if (backendArg === 'wasm') require('@tensorflow/tfjs-backend-wasm');
  else if (backendArg === 'cpu') require('@tensorflow/tfjs-backend-cpu');
  else throw new Error(`--backend must be wasm or cpu, got "${backendArg}"`);
  if (!(await tf.setBackend(backendArg))) throw new Error(`backend ${backendArg} failed to start`);
  await tf.ready();
  const model = createTinyModel(CONFIG, 0);
  benchTrain(model);
  await benchGenerate(model);
  benchGenerateNoCache(model);
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
