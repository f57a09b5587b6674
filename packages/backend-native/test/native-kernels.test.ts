import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerNativeKernels, unregisterNativeKernels, loadAddon } from '../src';
import { registerBatchMatMulGradient } from './batch-matmul-grad';
import { maxAbsDiff, referenceMatMul } from './reference';

// Deterministic uniform(-1, 1) data so failures reproduce.
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}
const rand = seeded(42);
function randomTensor(shape: number[]): tf.Tensor {
  const size = shape.reduce((x, y) => x * y, 1);
  return tf.tensor(Float32Array.from({ length: size }, rand), shape);
}

/** fp32 accumulation error grows with the inner dimension; inputs are in (-1, 1). */
const tolerance = (k: number) => 2e-6 * k + 1e-5;

function checkMatMul(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): void {
  const a = randomTensor(aShape);
  const b = randomTensor(bShape);
  const got = tf.matMul(a, b, transposeA, transposeB);
  const want = referenceMatMul(a.dataSync() as Float32Array, aShape, b.dataSync() as Float32Array, bShape, transposeA, transposeB);
  expect(got.shape).toEqual(want.shape);
  const k = transposeA ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
  expect(maxAbsDiff(got.dataSync(), want.data)).toBeLessThanOrEqual(tolerance(k));
  tf.dispose([a, b, got]);
}

/** `[m, k] x [k, n]` as stored for the given transposes, with optional batch dims. */
function shapes(m: number, k: number, n: number, tA: boolean, tB: boolean, batchA: number[] = [], batchB: number[] = []): [number[], number[]] {
  return [[...batchA, ...(tA ? [k, m] : [m, k])], [...batchB, ...(tB ? [n, k] : [k, n])]];
}

const TRANSPOSES: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  const result = await registerNativeKernels(tf);
  if (!result.ok) throw new Error(`native kernels did not register: ${result.reason}`);
});

afterAll(() => unregisterNativeKernels(tf));

describe('native BatchMatMul against a plain-JS reference', () => {
  const sizes: [number, number, number][] = [
    [1, 1, 1], [1, 7, 1], [2, 3, 5], [6, 16, 16], [7, 17, 15], [13, 1, 33], [64, 64, 32],
    [31, 300, 47], // k > one 256-deep panel: accumulation across panels
    [97, 129, 200],
  ];
  for (const [tA, tB] of TRANSPOSES) {
    it(`covers edge sizes with transposeA=${tA} transposeB=${tB}`, () => {
      for (const [m, k, n] of sizes) {
        const [aShape, bShape] = shapes(m, k, n, tA, tB);
        checkMatMul(aShape, bShape, tA, tB);
      }
    });
  }

  it('handles sizes past 1000 in every dimension (m, n, k)', () => {
    checkMatMul([1030, 40], [40, 70], false, false);
    checkMatMul([30, 1100], [20, 1100], false, true);
    checkMatMul([24, 50], [24, 1029], true, false);
  });

  it('multiplies transformer-step shapes (projection and batched attention)', () => {
    checkMatMul([1024, 128], [128, 384], false, false);
    checkMatMul([64, 64, 32], [64, 64, 32], false, true); // q kᵀ
    checkMatMul([64, 64, 64], [64, 64, 32], false, false); // p v
    checkMatMul([1024, 128], [1024, 384], true, false); // weight gradient
  });

  it('broadcasts batch dimensions numpy-style', () => {
    for (const [tA, tB] of TRANSPOSES) {
      const cases: [number[], number[]][] = [[[3], [3]], [[3], []], [[], [4]], [[2, 1], [1, 3]], [[2, 3], [3]], [[1], [5]]];
      for (const [batchA, batchB] of cases) {
        const [aShape, bShape] = shapes(5, 7, 9, tA, tB, batchA, batchB);
        checkMatMul(aShape, bShape, tA, tB);
      }
    }
  });

  it('returns zeros when the inner dimension is 0 and empty outputs when m or n is 0', () => {
    const zerosK = tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4]));
    expect(Array.from(zerosK.dataSync())).toEqual(new Array(12).fill(0));
    expect(tf.matMul(tf.zeros([0, 5]), tf.zeros([5, 4])).shape).toEqual([0, 4]);
  });

  it('stays correct when the output forces the wasm heap to grow', () => {
    checkMatMul([2048, 4], [4, 2048], false, false); // 16 MiB output on a 16 MiB initial heap
  });

  it('gives the same numbers with 1 thread and with 2', async () => {
    const a = randomTensor([4, 70, 90]);
    const b = randomTensor([90, 110]);
    await registerNativeKernels(tf, { threads: 1 });
    const one = tf.matMul(a, b).dataSync().slice();
    await registerNativeKernels(tf, { threads: 2 });
    const two = tf.matMul(a, b).dataSync();
    expect(maxAbsDiff(one, two)).toBe(0);
    tf.dispose([a, b]);
    await registerNativeKernels(tf);
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.matMul(randomTensor([3, 4, 5]), randomTensor([5, 6]));
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('native _FusedMatMul', () => {
  const activations = ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu'] as const;
  const apply: Record<string, (x: number) => number> = {
    linear: (x) => x,
    relu: (x) => Math.max(x, 0),
    relu6: (x) => Math.min(Math.max(x, 0), 6),
    leakyrelu: (x) => (x > 0 ? x : 0.3 * x),
    sigmoid: (x) => 1 / (1 + Math.exp(-x)),
    elu: (x) => (x > 0 ? x : Math.expm1(x)),
  };
  for (const activation of activations) {
    it(`adds a per-column bias and applies ${activation}`, () => {
      const a = randomTensor([2, 9, 20]);
      const b = randomTensor([2, 13, 20]);
      const bias = tf.mul(randomTensor([13]), 4);
      const got = tf.fused.matMul({ a, b, transposeB: true, bias, activation, leakyreluAlpha: 0.3 });
      const mm = referenceMatMul(a.dataSync() as Float32Array, [2, 9, 20], b.dataSync() as Float32Array, [2, 13, 20], false, true);
      const biasData = bias.dataSync();
      const want = mm.data.map((v, i) => apply[activation](v + biasData[i % 13]));
      expect(maxAbsDiff(got.dataSync(), want)).toBeLessThanOrEqual(tolerance(20));
      tf.dispose([a, b, bias, got]);
    });
  }

  it('adds a scalar bias', () => {
    const a = randomTensor([8, 5]);
    const b = randomTensor([5, 3]);
    const got = tf.fused.matMul({ a, b, bias: tf.scalar(2.5), activation: 'relu' });
    const mm = referenceMatMul(a.dataSync() as Float32Array, [8, 5], b.dataSync() as Float32Array, [5, 3], false, false);
    expect(maxAbsDiff(got.dataSync(), mm.data.map((v) => Math.max(v + 2.5, 0)))).toBeLessThanOrEqual(tolerance(5));
  });

  it('hands prelu to the stock wasm kernel and still gets it right', () => {
    const a = randomTensor([6, 4]);
    const b = randomTensor([4, 5]);
    const alpha = tf.fill([5], 0.1);
    const got = tf.fused.matMul({ a, b, activation: 'prelu', preluActivationWeights: alpha });
    const mm = referenceMatMul(a.dataSync() as Float32Array, [6, 4], b.dataSync() as Float32Array, [4, 5], false, false);
    expect(maxAbsDiff(got.dataSync(), mm.data.map((v) => (v > 0 ? v : 0.1 * v)))).toBeLessThanOrEqual(tolerance(4));
  });
});

describe('gradients through native matmuls', () => {
  it('match the stock cpu backend on a small matmul chain', async () => {
    registerBatchMatMulGradient();
    const x = Float32Array.from({ length: 2 * 5 * 6 }, rand);
    const w1 = Float32Array.from({ length: 6 * 7 }, rand);
    const w2 = Float32Array.from({ length: 4 * 7 }, rand);
    const c3 = Float32Array.from({ length: 2 * 5 * 3 }, rand);
    const seed = Float32Array.from({ length: 2 * 5 * 3 }, rand);
    const run = () =>
      tf.tidy(() => {
        const f = (xt: tf.Tensor, a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
          const h = tf.matMul(xt, a); // [2,5,7]: batch broadcast against a matrix
          const y = tf.matMul(h, b, false, true); // [2,5,4]
          const att = tf.matMul(y, y, false, true); // [2,5,5]: attention-style q·kᵀ
          return tf.matMul(att, c, true, false); // [2,5,3]
        };
        const inputs = [tf.tensor(x, [2, 5, 6]), tf.tensor(w1, [6, 7]), tf.tensor(w2, [4, 7]), tf.tensor(c3, [2, 5, 3])];
        const grads = tf.grads(f)(inputs, tf.tensor(seed, [2, 5, 3]));
        return grads.map((g) => g.dataSync().slice());
      });
    const native = run();
    await tf.setBackend('cpu');
    const cpu = run();
    await tf.setBackend('wasm');
    expect(native.map((g) => g.length)).toEqual([60, 42, 28, 30]);
    for (let i = 0; i < cpu.length; i++) {
      const scale = Math.max(...Array.from(cpu[i], Math.abs), 1);
      expect(maxAbsDiff(native[i], cpu[i]) / scale).toBeLessThan(1e-5);
    }
  });
});

describe('fallback', () => {
  it('returns ok: false with the reason when the addon is missing, and keeps the stock kernels', async () => {
    const before = tf.getKernel('BatchMatMul', 'wasm');
    const result = await registerNativeKernels(tf, { addonPath: '/nonexistent/tirl_gemm.node' });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('native addon not built') });
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(before);
  });

  it('rejects a bad TIRL_NATIVE_THREADS with a message naming the variable', async () => {
    process.env.TIRL_NATIVE_THREADS = 'many';
    try {
      const result = await registerNativeKernels(tf);
      expect(result).toEqual({ ok: false, reason: expect.stringContaining('TIRL_NATIVE_THREADS="many"') });
    } finally {
      delete process.env.TIRL_NATIVE_THREADS;
    }
  });

  it('reports OpenBLAS as unavailable but still registers when libopenblas cannot be loaded', async () => {
    const addon = loadAddon();
    if (!addon.ok) throw new Error(addon.reason);
    const blasMissing = addon.addon.useBlas('openblas') !== '';
    addon.addon.useBlas('none');
    const result = await registerNativeKernels(tf, { blas: 'openblas' });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.detail).toMatch(blasMissing ? /OpenBLAS unavailable/ : /OpenBLAS, \d+ threads/);
    checkMatMul([20, 30], [10, 30], false, true);
    await registerNativeKernels(tf, { blas: 'none' });
  });

  it('puts the stock kernels back on unregister', async () => {
    unregisterNativeKernels(tf);
    const stock = tf.getKernel('BatchMatMul', 'wasm') as unknown as Record<symbol, boolean>;
    expect(stock[Symbol.for('tirl.backend-native')]).toBeUndefined();
    await registerNativeKernels(tf);
    const native = tf.getKernel('BatchMatMul', 'wasm') as unknown as Record<symbol, boolean>;
    expect(native[Symbol.for('tirl.backend-native')]).toBe(true);
  });
});
