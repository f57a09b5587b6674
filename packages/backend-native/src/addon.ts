import * as path from 'node:path';

/** The compiled N-API module (`native/*.cc`). */
export interface NativeGemm {
  /**
   * Batched `c[cBase + i*m*n ..] = epilogue(op(A_i) · op(B_i))`, where `A_i` starts at
   * `a[aBase + aOffsets[i]]` (`[m, k]`, or `[k, m]` when `transA`) and `B_i` at `b[bBase + bOffsets[i]]`.
   * biasMode: 0 none, 1 scalar, 2 per column (`bias[biasBase + j]`). activation: see `ACTIVATIONS`.
   */
  gemm(
    a: Float32Array, aBase: number, aOffsets: Int32Array,
    b: Float32Array, bBase: number, bOffsets: Int32Array,
    c: Float32Array, cBase: number,
    batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean,
    bias: Float32Array | null, biasBase: number, biasMode: number, activation: number, alpha: number,
  ): void;
  /** `out = transpose(in, perm)`; `in`/`out` start at element offsets of `heap`. */
  transpose(heap: Float32Array, inBase: number, outBase: number, shape: Int32Array, perm: Int32Array): void;
  /** Broadcast binary op (codes in `BINARY_OPS`); strides are per output axis, 0 on broadcast axes. */
  binary(op: number, heap: Float32Array, aBase: number, aStrides: Int32Array, bBase: number, bStrides: Int32Array, outBase: number, outShape: Int32Array): void;
  /** `out[o, i] = Σ_r in[o, r, i]` for `in` viewed as `[outer, reduce, inner]`. */
  sum(heap: Float32Array, inBase: number, outBase: number, outer: number, reduce: number, inner: number): void;
  /** `out[r] = table[ids[r]]` (rows of `rowSize`); false when an id is outside `[0, rows)`. */
  gather(heap: Float32Array, tableBase: number, rows: number, rowSize: number, ids: Int32Array, idsBase: number, count: number, outBase: number): boolean;
  /** Fused kernels (`native/fused.h`): operands are element offsets into `heap` (float32) or `heapI32` (int32). */
  lmHeadForward(heap: Float32Array, heapI32: Int32Array, hidden: number, weight: number, targets: number, n: number, h: number, v: number, chunk: number, logp: number, lse: number, entropy: number): void;
  lmHeadBackward(
    heap: Float32Array, heapI32: Int32Array, hidden: number, weight: number, targets: number, lse: number, entropy: number, dLogp: number,
    dEntropy: number, n: number, h: number, v: number, chunk: number, dHidden: number, dWeight: number,
  ): void;
  scatterAddRows(heap: Float32Array, heapI32: Int32Array, dy: number, ids: number, count: number, rows: number, width: number, out: number, accumulate: boolean): void;
  adamUpdate(
    heap: Float32Array, heapI32: Int32Array, w: number, g: number, m: number, v: number, size: number,
    lr: number, beta1: number, beta2: number, epsilon: number, c1: number, c2: number, weightDecay: number,
  ): void;
  rmsNormForward(heap: Float32Array, heapI32: Int32Array, x: number, weight: number, rows: number, width: number, eps: number, y: number, rstd: number): void;
  rmsNormBackward(heap: Float32Array, heapI32: Int32Array, x: number, weight: number, rstd: number, dy: number, rows: number, width: number, dx: number, dWeight: number): void;
  swiglu(heap: Float32Array, heapI32: Int32Array, gate: number, up: number, size: number, y: number): void;
  swigluBackward(heap: Float32Array, heapI32: Int32Array, gate: number, up: number, dy: number, size: number, dGate: number, dUp: number): void;
  rope(heap: Float32Array, heapI32: Int32Array, x: number, cos: number, sin: number, n: number, heads: number, d: number, inverse: boolean, y: number): void;
  attention(
    heap: Float32Array, heapI32: Int32Array, q: number, k: number, v: number, keyValid: number, queryLimit: number,
    b: number, heads: number, kvHeads: number, tq: number, s: number, d: number, out: number, lse: number,
  ): void;
  attentionBackward(
    heap: Float32Array, heapI32: Int32Array, q: number, k: number, v: number, keyValid: number, queryLimit: number,
    b: number, heads: number, kvHeads: number, tq: number, s: number, d: number, out: number, lse: number, dOut: number,
    dq: number, dk: number, dv: number,
  ): void;
  setThreads(n: number): void;
  /** Returns '' on success, otherwise why OpenBLAS could not be used. */
  useBlas(which: 'none' | 'openblas'): string;
  info(): { kernel: string; threads: number; hardwareThreads: number; blas: 'none' | 'openblas' };
}

/** Activation codes the native epilogue understands (tfjs `_FusedMatMul` names). */
export const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 };

export const ADDON_PATH = path.join(__dirname, '..', 'build', 'Release', 'tirl_gemm.node');

export type AddonLoad = { ok: true; addon: NativeGemm } | { ok: false; reason: string };

/** Loads the addon built at install time; never throws. */
export function loadAddon(file: string = ADDON_PATH): AddonLoad {
  try {
    return { ok: true, addon: require(file) as NativeGemm };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason =
      err?.code === 'MODULE_NOT_FOUND'
        ? `native addon not built (${file} missing): run \`npm rebuild @tirl/backend-native\` with a C++ compiler and node-gyp`
        : `native addon failed to load: ${String(err?.message ?? e).split('\n')[0]}`;
    return { ok: false, reason };
  }
}
