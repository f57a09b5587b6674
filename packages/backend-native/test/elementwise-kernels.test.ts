import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { broadcastStrides, registerNativeKernels, unregisterNativeKernels } from '../src';
import { maxAbsDiff, referenceBinary, referenceSum, referenceTranspose } from './reference';

// Deterministic uniform(-1, 1) data so failures reproduce.
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}
const rand = seeded(7);
const randomData = (shape: number[]) => Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, rand);

/** Asserts the native kernel ran (it is registered) and matches the reference. */
function expectNative(kernel: string): void {
  expect((tf.getKernel(kernel, 'wasm') as unknown as Record<symbol, boolean>)[Symbol.for('tirl.backend-native')]).toBe(true);
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  const result = await registerNativeKernels(tf);
  if (!result.ok) throw new Error(`native kernels did not register: ${result.reason}`);
});

afterAll(() => unregisterNativeKernels(tf));

describe('broadcastStrides', () => {
  it('gives 0 on broadcast axes and row-major strides elsewhere', () => {
    // [3, 1] read as [2, 3, 4]: the missing leading axis and the size-1 axis broadcast; axis 1 has stride 1.
    expect(Array.from(broadcastStrides([3, 1], [2, 3, 4]))).toEqual([0, 1, 0]);
    // [2, 3, 4] read as itself: strides 12, 4, 1.
    expect(Array.from(broadcastStrides([2, 3, 4], [2, 3, 4]))).toEqual([12, 4, 1]);
    expect(Array.from(broadcastStrides([], [5]))).toEqual([0]);
  });
});

describe('native Transpose against a plain-JS reference', () => {
  const cases: [number[], number[]][] = [
    [[3, 5], [1, 0]],
    [[1024, 128], [1, 0]],
    [[37, 65], [1, 0]], // edges that are not multiples of the 32-wide tile
    [[2, 3, 4], [0, 2, 1]],
    [[2, 3, 4], [2, 0, 1]],
    [[2, 3, 4], [1, 0, 2]], // inner axis stays: contiguous row copies
    [[16, 4, 64, 32], [0, 2, 1, 3]], // attention heads ↔ time
    [[4, 1, 6, 5], [3, 1, 0, 2]], // size-1 axis
    [[2, 3, 4, 5, 2], [4, 3, 2, 1, 0]],
    [[7], [0]],
    [[3, 4], [0, 1]], // identity
  ];
  for (const [shape, perm] of cases) {
    it(`permutes [${shape}] by [${perm}]`, () => {
      expectNative('Transpose');
      const data = randomData(shape);
      const got = tf.transpose(tf.tensor(data, shape), perm);
      expect(got.shape).toEqual(perm.map((p) => shape[p]));
      expect(Array.from(got.dataSync())).toEqual(referenceTranspose(data, shape, perm));
    });
  }

  it('leaves int32 tensors to the stock kernel and still permutes them', () => {
    const got = tf.transpose(tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32'));
    expect(got.dtype).toBe('int32');
    expect(Array.from(got.dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('native binary ops against a plain-JS reference', () => {
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (x: number, y: number) => number][] = [
    ['Add', tf.add, (x, y) => x + y],
    ['Sub', tf.sub, (x, y) => x - y],
    ['Multiply', tf.mul, (x, y) => x * y],
    ['RealDiv', tf.div, (x, y) => x / y],
    ['SquaredDifference', tf.squaredDifference, (x, y) => (x - y) * (x - y)],
  ];
  const shapes: [number[], number[]][] = [
    [[1024, 128], [1024, 128]], // same shape
    [[1024, 128], [1024, 1]], // per-row (RMSNorm scale)
    [[1024, 344], [344]], // per-column (norm weight, bias)
    [[5, 7], []], // scalar right
    [[], [5, 7]], // scalar left
    [[1024, 4, 32], [1024, 1, 32]], // rotary tables over heads
    [[2, 1, 3], [1, 4, 1]], // both sides broadcast
    [[16, 4, 64, 64], [16, 1, 64, 64]], // attention bias
    [[3], [2, 3]],
  ];
  for (const [name, fn, f] of ops) {
    it(`${name} broadcasts numpy-style`, () => {
      expectNative(name);
      for (const [aShape, bShape] of shapes) {
        const a = randomData(aShape);
        // Keep divisors away from 0 so RealDiv is well conditioned.
        const b = name === 'RealDiv' ? randomData(bShape).map((v) => (v < 0 ? v - 0.5 : v + 0.5)) : randomData(bShape);
        const got = fn(tf.tensor(a, aShape), tf.tensor(b, bShape));
        const want = referenceBinary(f, a, aShape, b, bShape);
        expect(got.shape).toEqual(want.shape);
        expect(maxAbsDiff(got.dataSync(), want.data)).toBeLessThanOrEqual(1e-6 * want.data.reduce((m, v) => Math.max(m, Math.abs(v)), 1));
      }
    });
  }

  it('leaves int32 adds to the stock kernel', () => {
    const got = tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.scalar(4, 'int32'));
    expect(got.dtype).toBe('int32');
    expect(Array.from(got.dataSync())).toEqual([5, 6, 7]);
  });
});

describe('native Sum against a plain-JS reference', () => {
  const cases: [number[], number | number[]][] = [
    [[1024, 128], -1], // row sums
    [[1024, 128], 0], // column sums (bias gradients)
    [[1024, 344], [0]],
    [[3, 5, 7], [1, 2]],
    [[3, 5, 7], [0, 1]],
    [[3, 5, 7], 1], // middle axis
    [[3, 5, 7], [0, 1, 2]],
    [[13], 0], // fewer than 8 elements per partial sum lane
    [[2, 0, 3], 1], // empty reduction gives zeros
  ];
  for (const [shape, axis] of cases) {
    it(`sums [${shape}] over axis ${JSON.stringify(axis)}`, () => {
      expectNative('Sum');
      const data = randomData(shape);
      const got = tf.sum(tf.tensor(data, shape), axis);
      const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + shape.length : a));
      const want = referenceSum(data, shape, axes);
      expect(got.shape).toEqual(want.shape);
      const reduced = axes.reduce((n, a) => n * shape[a], 1);
      expect(maxAbsDiff(got.dataSync(), want.data)).toBeLessThanOrEqual(1e-6 * reduced + 1e-6);
    });
  }

  it('keeps dims when asked', () => {
    const got = tf.sum(tf.tensor(randomData([4, 6, 3]), [4, 6, 3]), 1, true);
    expect(got.shape).toEqual([4, 1, 3]);
  });

  it('hands non-contiguous axes to the stock kernel and still sums them', () => {
    const data = randomData([3, 4, 5]);
    const got = tf.sum(tf.tensor(data, [3, 4, 5]), [0, 2]);
    const want = referenceSum(data, [3, 4, 5], [0, 2]);
    expect(maxAbsDiff(got.dataSync(), want.data)).toBeLessThanOrEqual(1e-4);
  });
});

describe('native GatherV2', () => {
  it('gathers rows of a float32 table by int32 ids', () => {
    expectNative('GatherV2');
    const table = randomData([256, 128]);
    const ids = Int32Array.from({ length: 1024 }, (_, i) => (i * 37) % 256);
    const got = tf.gather(tf.tensor(table, [256, 128]), tf.tensor1d(ids, 'int32'));
    expect(got.shape).toEqual([1024, 128]);
    const want = Array.from(ids).flatMap((id) => Array.from(table.subarray(id * 128, (id + 1) * 128)));
    expect(Array.from(got.dataSync())).toEqual(want);
  });

  it('keeps the ids shape in front of the row shape', () => {
    const table = tf.tensor3d(randomData([5, 2, 3]), [5, 2, 3]);
    const got = tf.gather(table, tf.tensor2d([[4, 0], [2, 2]], [2, 2], 'int32'));
    expect(got.shape).toEqual([2, 2, 2, 3]);
    expect(Array.from(got.dataSync().slice(0, 6))).toEqual(Array.from(table.dataSync().slice(24, 30)));
  });

  it('gathers along an inner axis', () => {
    const got = tf.gather(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), tf.tensor1d([2, 0], 'int32'), 1);
    expect(Array.from(got.dataSync())).toEqual([3, 1, 6, 4]);
    // [2, 3, 2] along axis 1 with ids [1, 1, 0]: out[o, i, :] = x[o, ids[i], :]
    const x = tf.tensor3d([[[0, 1], [2, 3], [4, 5]], [[6, 7], [8, 9], [10, 11]]]);
    const picked = tf.gather(x, tf.tensor1d([1, 1, 0], 'int32'), 1);
    expect(picked.shape).toEqual([2, 3, 2]);
    expect(Array.from(picked.dataSync())).toEqual([2, 3, 2, 3, 0, 1, 8, 9, 8, 9, 6, 7]);
  });
});

describe('native Slice and Identity', () => {
  it('slices any box of a rank-4 tensor', () => {
    expectNative('Slice');
    const shape = [3, 4, 5, 6];
    const data = randomData(shape);
    const got = tf.slice(tf.tensor(data, shape), [1, 0, 2, 1], [2, -1, 2, 4]);
    expect(got.shape).toEqual([2, 4, 2, 4]);
    const want: number[] = [];
    for (let a = 1; a < 3; a++) for (let b = 0; b < 4; b++) for (let c = 2; c < 4; c++) for (let d = 1; d < 5; d++) want.push(data[((a * 4 + b) * 5 + c) * 6 + d]);
    expect(Array.from(got.dataSync())).toEqual(want);
    expect(tf.slice(tf.tensor(data, shape), [0, 0, 0, 0], [0, 4, 5, 6]).shape).toEqual([0, 4, 5, 6]);
  });

  it('clones without copying, and the clone outlives the original', () => {
    expectNative('Identity');
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
  });
});

describe('registration', () => {
  it('registers only the matmuls with kernels: gemm, and everything again by default', async () => {
    const gemm = await registerNativeKernels(tf, { kernels: 'gemm' });
    expect(gemm.ok).toBe(true);
    const flag = (name: string) => (tf.getKernel(name, 'wasm') as unknown as Record<symbol, boolean>)[Symbol.for('tirl.backend-native')];
    expect(flag('BatchMatMul')).toBe(true);
    expect(flag('Transpose')).toBeUndefined();
    const all = await registerNativeKernels(tf);
    expect(all).toEqual({ ok: true, tfBackend: 'wasm', detail: expect.stringContaining('transpose, binary ops, sum, gather') });
    expect(flag('Transpose')).toBe(true);
  });

  it('rejects an unknown kernels option with the allowed values', async () => {
    const result = await registerNativeKernels(tf, { kernels: 'most' as never });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('Allowed: gemm, all') });
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.tensor(randomData([8, 16]), [8, 16]);
      tf.sum(tf.mul(tf.transpose(x), 2), 0);
      tf.gather(x, tf.tensor1d([1, 7], 'int32'));
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
