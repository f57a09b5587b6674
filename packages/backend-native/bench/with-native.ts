/**
 * Runs another benchmark script with the native kernels registered on the wasm backend, so any
 * wasm benchmark can be compared stock vs native without changing it.
 * Run: npx tsx packages/backend-native/bench/with-native.ts [--gemm-only] <script.ts> [args...]
 * (`--gemm-only` registers only the matmul kernels, as before the memory-bound kernels existed).
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerNativeKernels } from '../src';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const gemmOnly = argv[0] === '--gemm-only';
  const [script, ...rest] = gemmOnly ? argv.slice(1) : argv;
  if (!script) throw new Error('usage: with-native.ts [--gemm-only] <script.ts> [args...]');
  await tf.setBackend('wasm');
  const result = await registerNativeKernels(tf, { kernels: gemmOnly ? 'gemm' : 'all' });
  if (!result.ok) throw new Error(`native kernels unavailable: ${result.reason}`);
  console.error(`[with-native] ${result.detail}`);
  const file = path.resolve(script);
  process.argv = [process.argv[0], file, ...rest];
  require(file);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
