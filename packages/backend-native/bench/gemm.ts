/**
 * GFLOP/s of stock tfjs-wasm matmul vs the native kernels on the matmuls of one transformer
 * training step (B16, T64, d128, 4 heads), measured in the same process.
 * Run: npx tsx packages/backend-native/bench/gemm.ts [--json]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerNativeKernels, unregisterNativeKernels } from '../src';

interface Case { name: string; a: number[]; b: number[]; tA: boolean; tB: boolean }

const CASES: Case[] = [
  { name: 'qkv proj [1024x128]x[128x384]', a: [1024, 128], b: [128, 384], tA: false, tB: false },
  { name: 'dX = dY Wᵀ [1024x384]x[128x384]ᵀ', a: [1024, 384], b: [128, 384], tA: false, tB: true },
  { name: 'dW = Xᵀ dY [1024x128]ᵀx[1024x384]', a: [1024, 128], b: [1024, 384], tA: true, tB: false },
  { name: 'scores q kᵀ 64x[64x32]x[64x32]ᵀ', a: [64, 64, 32], b: [64, 64, 32], tA: false, tB: true },
  { name: 'context p v 64x[64x64]x[64x32]', a: [64, 64, 64], b: [64, 64, 32], tA: false, tB: false },
  { name: 'dP = dO vᵀ 64x[64x32]x[64x32]ᵀ', a: [64, 64, 32], b: [64, 64, 32], tA: false, tB: true },
  { name: 'dV = pᵀ dO 64x[64x64]ᵀx[64x32]', a: [64, 64, 64], b: [64, 64, 32], tA: true, tB: false },
  { name: 'mlp up [1024x128]x[128x344]', a: [1024, 128], b: [128, 344], tA: false, tB: false },
  { name: 'lm head [1024x128]x[256x128]ᵀ', a: [1024, 128], b: [256, 128], tA: false, tB: true },
];

function flops(c: Case): number {
  const batch = c.a.length === 3 ? c.a[0] : 1;
  const [a0, a1] = c.a.slice(-2);
  const n = c.tB ? c.b[c.b.length - 2] : c.b[c.b.length - 1];
  return 2 * batch * a0 * a1 * n;
}

function gflops(c: Case, minMs = 300): number {
  const a = tf.randomNormal(c.a);
  const b = tf.randomNormal(c.b);
  tf.dispose(tf.matMul(a, b, c.tA, c.tB)); // warm-up
  let iters = 0;
  const start = performance.now();
  while (performance.now() - start < minMs || iters < 3) {
    tf.dispose(tf.matMul(a, b, c.tA, c.tB));
    iters++;
  }
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([a, b]);
  return (flops(c) * iters) / seconds / 1e9;
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const rows: { name: string; stock: number; native: number; ratio: number }[] = [];
  let detail = '';
  for (const c of CASES) {
    unregisterNativeKernels(tf);
    const stock = gflops(c);
    const reg = await registerNativeKernels(tf);
    if (!reg.ok) throw new Error(reg.reason);
    detail = reg.detail ?? '';
    const native = gflops(c);
    rows.push({ name: c.name, stock, native, ratio: native / stock });
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ detail, rows }, null, 2));
    return;
  }
  console.log(`native: ${detail}`);
  console.log(`${'matmul'.padEnd(40)} ${'stock GF/s'.padStart(10)} ${'native GF/s'.padStart(11)} ${'ratio'.padStart(7)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(40)} ${r.stock.toFixed(2).padStart(10)} ${r.native.toFixed(2).padStart(11)} ${(r.ratio.toFixed(1) + 'x').padStart(7)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
