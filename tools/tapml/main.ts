/**
 * TapML-style top-down testing of tirl's tensor backends: carve the kernel calls of one real training step
 * (forward log-probs, loss, gradients of a tiny decoder) on the reference backend, replay each call on every
 * other backend from the reference inputs, and report per backend the ops that diverge and the first one.
 *
 * Run: npx tsx --conditions=tirl-source tools/tapml/main.ts [--reference cpu] [--backends wasm,wasm-native,webgpu]
 *   [--max-per-kernel 3] [--max-elements 200000] [--rtol 1e-4] [--atol 1e-5] [--layers 2]
 * Prints JSON lines: one `carve` line, then one line per backend (`skipped` with the reason when it cannot start).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '@tirl/core';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { carveOps } from './carve';
import { replayOps } from './replay';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);

/** One training step of a tiny decoder: log-probs of a batch, the mean negative log-likelihood, its gradients. */
export function trainingStep(layers: number): () => void {
  const tokenizer = new ByteTokenizer();
  const model = createTinyModel(
    { vocabSize: tokenizer.vocabSize, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: layers, numAttentionHeads: 4, numKeyValueHeads: 2 },
    7,
  );
  const text = ['Capital of France? Paris', 'Capital of Italy? Rome.'];
  const rows = text.map((t) => tokenizer.encode(t));
  const T = Math.max(...rows.map((r) => r.length));
  const ids = rows.map((r) => [...r, ...Array(T - r.length).fill(tokenizer.padTokenId)]);
  const mask = rows.map((r) => [...r.map(() => 1), ...Array(T - r.length).fill(0)]);
  return () => {
    tf.tidy(() => {
      const idsT = tf.tensor2d(ids, [ids.length, T], 'int32');
      const maskT = tf.tensor2d(mask, [mask.length, T], 'float32');
      const { grads } = tf.variableGrads(() => tf.neg(tf.mean(model.logProbs(idsT, maskT).logProbs)) as tf.Scalar);
      Object.values(grads).forEach((g) => g.dataSync());
    });
  };
}

async function main(): Promise<void> {
  const reference = option('--reference', 'cpu') as BackendName;
  const targets = option('--backends', 'wasm,wasm-native,webgpu').split(',').filter(Boolean) as BackendName[];
  const tol = { rtol: Number(option('--rtol', '1e-4')), atol: Number(option('--atol', '1e-5')) };
  await initBackend({ force: reference });
  const step = trainingStep(Number(option('--layers', '2')));
  const { records, calls } = carveOps(step, { maxPerKernel: Number(option('--max-per-kernel', '3')), maxElements: Number(option('--max-elements', '200000')) });
  console.log(JSON.stringify({ carve: reference, kernels: Object.keys(calls).length, calls: Object.values(calls).reduce((s, n) => s + n, 0), recorded: records.length }));
  for (const backend of targets) {
    let detail: string | undefined;
    try {
      detail = (await initBackend({ force: backend })).detail;
    } catch (e) {
      console.log(JSON.stringify({ backend, skipped: e instanceof Error ? e.message.split('\n')[0] : String(e) }));
      continue;
    }
    const report = replayOps(records, backend, tol);
    const bad = report.verdicts.filter((v) => v.status !== 'match');
    console.log(JSON.stringify({ ...report, tfBackend: tf.getBackend(), ...(detail ? { detail } : {}), verdicts: undefined, notMatching: bad.map((v) => ({ index: v.index, kernel: v.kernel, status: v.status, maxAbsError: v.maxAbsError, message: v.message })) }));
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
