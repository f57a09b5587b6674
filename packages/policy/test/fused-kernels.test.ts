import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '@tirl/core';
import { applyRope, attention, createTinyModel, FUSED_KERNELS, FusedAdamOptimizer, linear, lmHeadLogProbs, rmsNorm, scatterAddRows, swiglu } from '../src';
import { maxDiff, numericGrad, refAttention, refLmHead, refRmsNorm, refRope, refSwiglu, seeded } from './fused-reference';

// cpu and wasm compose stock ops; wasm-native runs the fused kernels (registered by @tirl/backend-native).
// Order matters: wasm-native registers kernels on the wasm backend for the rest of this file.
const BACKENDS: BackendName[] = ['cpu', 'wasm', 'wasm-native'];

const rand = seeded(7);
const f64 = (t: tf.Tensor) => Float64Array.from(t.dataSync());

describe.each(BACKENDS)('fused ops on %s against plain-JS references', (backend) => {
  beforeAll(async () => {
    await initBackend({ force: backend });
  });

  it(backend === 'wasm-native' ? 'runs the native kernels' : 'has no fused kernels (composite path)', () => {
    const registered = Object.values(FUSED_KERNELS).filter((name) => tf.getKernel(name, tf.getBackend()) !== undefined);
    expect(registered.length).toBe(backend === 'wasm-native' ? Object.values(FUSED_KERNELS).length : 0);
  });

  it('lmHeadLogProbs: log-probs, entropies and both gradients over several vocabulary chunks', () => {
    const [N, H, V, chunk] = [5, 6, 11, 4]; // chunks of 4, 4, 3
    const h = rand(N * H);
    const w = rand(V * H).map((x) => 3 * x); // sharp enough that the max subtraction matters
    const targets = Int32Array.from([0, 10, 4, 3, 7]);
    const seedLogp = rand(N);
    const seedEnt = rand(N);
    const want = refLmHead(h, w, targets, N, H, V);
    const combined = (hh: ArrayLike<number>, ww: ArrayLike<number>) => {
      const r = refLmHead(hh, ww, targets, N, H, V);
      return Float64Array.from([...r.logProbs, ...r.entropies]);
    };
    const seed = [...seedLogp, ...seedEnt];
    const wantDh = numericGrad((x) => combined(x, w), h, seed);
    const wantDw = numericGrad((x) => combined(h, x), w, seed);
    tf.tidy(() => {
      const ht = tf.tensor2d(h, [N, H]);
      const wt = tf.tensor2d(w, [V, H]);
      const tt = tf.tensor1d(targets, 'int32');
      const out = lmHeadLogProbs(ht, wt, tt, { entropy: true, chunk });
      expect(maxDiff(f64(out.logProbs), want.logProbs)).toBeLessThan(1e-5);
      expect(maxDiff(f64(out.entropies as tf.Tensor), want.entropies)).toBeLessThan(1e-5);
      const loss = (a: tf.Tensor, b: tf.Tensor) => {
        const r = lmHeadLogProbs(a as tf.Tensor2D, b as tf.Tensor2D, tt, { entropy: true, chunk });
        return tf.add(tf.sum(tf.mul(r.logProbs, tf.tensor1d(seedLogp))), tf.sum(tf.mul(r.entropies as tf.Tensor, tf.tensor1d(seedEnt))));
      };
      const [dh, dw] = tf.grads(loss)([ht, wt]);
      expect(maxDiff(f64(dh), wantDh)).toBeLessThan(1e-4);
      expect(maxDiff(f64(dw), wantDw)).toBeLessThan(1e-4);
      // Without entropy: only the log-prob gradient.
      const wantDhLogp = numericGrad((x) => refLmHead(x, w, targets, N, H, V).logProbs, h, seedLogp);
      const [dhOnly] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(lmHeadLogProbs(a as tf.Tensor2D, wt, tt, { chunk }).logProbs, tf.tensor1d(seedLogp))))([ht]);
      expect(maxDiff(f64(dhOnly), wantDhLogp)).toBeLessThan(1e-4);
    });
  });

  it('linear: x · wᵀ + b, values and gradients of x, w and b', () => {
    const [N, I, O] = [3, 5, 4];
    const x = rand(N * I);
    const w = rand(O * I);
    const b = rand(O);
    const seed = rand(N * O);
    const ref = (xs: ArrayLike<number>, ws: ArrayLike<number>, bs: ArrayLike<number>) => {
      const out = new Float64Array(N * O);
      for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
        out[n * O + o] = bs[o];
        for (let i = 0; i < I; i++) out[n * O + o] += xs[n * I + i] * ws[o * I + i];
      }
      return out;
    };
    tf.tidy(() => {
      const [xt, wt, bt] = [tf.tensor2d(x, [N, I]), tf.tensor2d(w, [O, I]), tf.tensor1d(b)];
      expect(maxDiff(f64(linear(xt, wt, bt)), ref(x, w, b))).toBeLessThan(1e-5);
      const [dx, dw, db] = tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
        tf.sum(tf.mul(linear(p as tf.Tensor2D, q as tf.Tensor2D, r as tf.Tensor1D), tf.tensor2d(seed, [N, O]))))([xt, wt, bt]);
      expect(maxDiff(f64(dx), numericGrad((v) => ref(v, w, b), x, seed))).toBeLessThan(1e-4);
      expect(maxDiff(f64(dw), numericGrad((v) => ref(x, v, b), w, seed))).toBeLessThan(1e-4);
      expect(maxDiff(f64(db), numericGrad((v) => ref(x, w, v), b, seed))).toBeLessThan(1e-4);
    });
  });

  it('rmsNorm: values and gradients of x and weight', () => {
    const [rows, W, eps] = [3, 8, 1e-6];
    const x = rand(rows * W);
    const weight = rand(W);
    const seed = rand(rows * W);
    tf.tidy(() => {
      const xt = tf.tensor2d(x, [rows, W]);
      const wt = tf.tensor1d(weight);
      expect(maxDiff(f64(rmsNorm(xt, wt, eps)), refRmsNorm(x, weight, W, eps))).toBeLessThan(1e-5);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(rmsNorm(a, b as tf.Tensor1D, eps), tf.tensor2d(seed, [rows, W]))))([xt, wt]);
      expect(maxDiff(f64(dx), numericGrad((v) => refRmsNorm(v, weight, W, eps), x, seed))).toBeLessThan(1e-4);
      expect(maxDiff(f64(dw), numericGrad((v) => refRmsNorm(x, v, W, eps), weight, seed))).toBeLessThan(1e-4);
    });
  });

  it('swiglu: values and gradients of gate and up', () => {
    const n = 24;
    const gate = rand(n).map((v) => 4 * v);
    const up = rand(n);
    const seed = rand(n);
    tf.tidy(() => {
      const g = tf.tensor2d(gate, [4, 6]);
      const u = tf.tensor2d(up, [4, 6]);
      expect(maxDiff(f64(swiglu(g, u)), refSwiglu(gate, up))).toBeLessThan(1e-5);
      const [dg, du] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(swiglu(a, b), tf.tensor2d(seed, [4, 6]))))([g, u]);
      expect(maxDiff(f64(dg), numericGrad((v) => refSwiglu(v, up), gate, seed))).toBeLessThan(1e-4);
      expect(maxDiff(f64(du), numericGrad((v) => refSwiglu(gate, v), up, seed))).toBeLessThan(1e-4);
    });
  });

  it('applyRope: values and the gradient of x', () => {
    const [N, heads, D] = [3, 2, 6];
    const x = rand(N * heads * D);
    const angles = Array.from({ length: N * D }, (_, i) => 0.3 * Math.floor(i / D) * ((i % (D / 2)) + 1));
    const cos = Float32Array.from(angles, Math.cos);
    const sin = Float32Array.from(angles, Math.sin);
    const seed = rand(N * heads * D);
    tf.tidy(() => {
      const c = tf.tensor2d(cos, [N, D]);
      const s = tf.tensor2d(sin, [N, D]);
      const r = rotateHalf(D);
      const xt = tf.tensor3d(x, [N, heads, D]);
      expect(maxDiff(f64(applyRope(xt, c, s, r)), refRope(x, cos, sin, N, heads, D))).toBeLessThan(1e-5);
      const [dx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(applyRope(a as tf.Tensor3D, c, s, r), tf.tensor3d(seed, [N, heads, D]))))([xt]);
      expect(maxDiff(f64(dx), numericGrad((v) => refRope(v, cos, sin, N, heads, D), x, seed))).toBeLessThan(1e-4);
    });
  });

  it('attention: grouped heads, padding and a causal limit past a cache; values and gradients of q, k, v', () => {
    const dims = [2, 4, 2, 3, 5, 4]; // B, H, Hkv, Tq, S (2 cached + 3 new), D
    const [B, H, Hkv, Tq, S, D] = dims;
    const valid = [[1, 1, 1, 1, 1], [0, 1, 1, 1, 1]]; // row 1 starts with a pad
    const limit = [2, 3, 4];
    const q = rand(B * H * Tq * D).map((x) => 2 * x);
    const k = rand(B * Hkv * S * D).map((x) => 2 * x);
    const v = rand(B * Hkv * S * D);
    const seed = rand(B * H * Tq * D);
    const shapeQ: [number, number, number, number] = [B, H, Tq, D];
    const shapeKv: [number, number, number, number] = [B, Hkv, S, D];
    tf.tidy(() => {
      const mask = {
        keyValid: tf.tensor2d(valid.flat(), [B, S]),
        queryLimit: tf.tensor1d(limit, 'int32'),
        bias: () => {
          const bias = new Float32Array(B * (H / Hkv) * Tq * S);
          for (let b = 0; b < B; b++) for (let g = 0; g < H / Hkv; g++) for (let t = 0; t < Tq; t++) for (let j = 0; j < S; j++) {
            bias[((b * (H / Hkv) + g) * Tq + t) * S + j] = valid[b][j] && j <= limit[t] ? 0 : -1e9;
          }
          return tf.tensor4d(bias, [B, 1, (H / Hkv) * Tq, S]);
        },
      };
      const [qt, kt, vt] = [tf.tensor4d(q, shapeQ), tf.tensor4d(k, shapeKv), tf.tensor4d(v, shapeKv)];
      expect(maxDiff(f64(attention(qt, kt, vt, mask)), refAttention(q, k, v, valid, limit, dims))).toBeLessThan(1e-5);
      const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(attention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, mask), tf.tensor4d(seed, shapeQ)));
      const [dq, dk, dv] = tf.grads(loss)([qt, kt, vt]);
      expect(maxDiff(f64(dq), numericGrad((x) => refAttention(x, k, v, valid, limit, dims), q, seed))).toBeLessThan(1e-4);
      expect(maxDiff(f64(dk), numericGrad((x) => refAttention(q, x, v, valid, limit, dims), k, seed))).toBeLessThan(1e-4);
      expect(maxDiff(f64(dv), numericGrad((x) => refAttention(q, k, x, valid, limit, dims), v, seed))).toBeLessThan(1e-4);
    });
  });

  it('scatterAddRows: repeated ids add up, untouched rows are zero', () => {
    const dy = rand(4 * 3);
    const ids = [2, 0, 2, 4];
    const want = new Float64Array(5 * 3);
    ids.forEach((id, i) => {
      for (let j = 0; j < 3; j++) want[id * 3 + j] += dy[i * 3 + j];
    });
    tf.tidy(() => {
      const got = scatterAddRows(tf.tensor2d(dy, [4, 3]), tf.tensor1d(ids, 'int32'), 5);
      expect(got.shape).toEqual([5, 3]);
      expect(maxDiff(f64(got), want)).toBeLessThan(1e-6);
      // Into a base (consumed): base + the same scatter; a tensor sharing the base's data is left alone.
      const baseData = rand(5 * 3);
      const base = tf.tensor2d(baseData, [5, 3]);
      const sharing = tf.clone(base);
      const into = scatterAddRows(tf.tensor2d(dy, [4, 3]), tf.tensor1d(ids, 'int32'), 5, base);
      expect(maxDiff(f64(into), want.map((x, i) => x + baseData[i]))).toBeLessThan(1e-6);
      expect(maxDiff(f64(sharing), baseData)).toBe(0);
    });
  });

  it('FusedAdamOptimizer follows Adam step by step and leaves a variable sharing its data alone', () => {
    const [lr, b1, b2, eps] = [0.1, 0.9, 0.999, 1e-7];
    const w0 = [0.5, -1, 2];
    const grads = [[0.1, -0.2, 0.3], [-0.5, 0.1, 0.0], [0.2, 0.2, -0.4]];
    // Kingma & Ba, Algorithm 1, with ε added to sqrt(v̂) as tfjs does.
    const want = [...w0];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    grads.forEach((g, t) => {
      for (let i = 0; i < 3; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2;
        const mHat = m[i] / (1 - b1 ** (t + 1));
        const vHat = v[i] / (1 - b2 ** (t + 1));
        want[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
    const initial = tf.tensor1d(w0);
    const w = tf.variable(initial, true, `adam-test-${backend}`);
    const sharing = tf.variable(initial, false, `adam-share-${backend}`);
    const opt = new FusedAdamOptimizer(lr, b1, b2, eps);
    for (const g of grads) tf.tidy(() => opt.applyGradients([{ name: w.name, tensor: tf.tensor1d(g) }]));
    expect(maxDiff(f64(w), want)).toBeLessThan(1e-5);
    expect(Array.from(sharing.dataSync())).toEqual(w0);
    expect(opt.iterations).toBe(3);
    tf.dispose([initial, w, sharing]);
    opt.dispose();
  });

  it.each([false, true])('CausalLM.logProbs: the fused head matches the materialised logits, values and gradients (tied %s)', (tieWordEmbeddings) => {
    const config = { vocabSize: 37, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 1, numAttentionHeads: 2, tieWordEmbeddings };
    const model = createTinyModel(config, 3, { std: 0.3 });
    const ids = tf.tensor2d([[1, 5, 9, 36, 2], [0, 0, 7, 3, 11]], [2, 5], 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]], [2, 5]);
    const run = (fusedHead: boolean) =>
      tf.variableGrads(() => {
        const r = model.logProbs(ids, mask, { entropy: true, fusedHead });
        return tf.add(tf.sum(r.logProbs), tf.mul(0.3, tf.sum(r.entropies as tf.Tensor))) as tf.Scalar;
      }, model.trainableVariables());
    const before = tf.memory().numTensors;
    const fused = run(true);
    const plain = run(false);
    expect(Math.abs(fused.value.dataSync()[0] - plain.value.dataSync()[0])).toBeLessThan(1e-4);
    for (const name of Object.keys(plain.grads)) expect(maxDiff(fused.grads[name].dataSync(), plain.grads[name].dataSync())).toBeLessThan(1e-4);
    tf.dispose([fused.value, plain.value, ...Object.values(fused.grads), ...Object.values(plain.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, mask]);
    model.dispose();
  });
});

function rotateHalf(D: number): tf.Tensor2D {
  const r = new Float32Array(D * D);
  for (let j = 0; j < D / 2; j++) {
    r[(j + D / 2) * D + j] = -1;
    r[j * D + j + D / 2] = 1;
  }
  return tf.tensor2d(r, [D, D]);
}
