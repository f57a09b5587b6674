/** Where each batch of a (broadcast) batched matmul reads its operands. */
export interface MatMulPlan {
  /** Output shape `[...batch, m, n]`. */
  outShape: number[];
  batch: number;
  m: number;
  n: number;
  k: number;
  /** Element offset of batch i's A inside A's data. */
  aOffsets: Int32Array;
  bOffsets: Int32Array;
}

/**
 * Plans `op(a) · op(b)` for `a: [...batchA, m, k]` (or `[..., k, m]` when `transposeA`) and
 * `b: [...batchB, k, n]` (or `[..., n, k]`), broadcasting batch dims numpy-style.
 */
export function planMatMul(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): MatMulPlan {
  if (aShape.length < 2 || bShape.length < 2) {
    throw new Error(`@tirl/backend-native: matMul needs rank >= 2 operands, got [${aShape}] and [${bShape}].`);
  }
  const [a0, a1] = aShape.slice(-2);
  const [b0, b1] = bShape.slice(-2);
  const m = transposeA ? a1 : a0;
  const kA = transposeA ? a0 : a1;
  const kB = transposeB ? b1 : b0;
  const n = transposeB ? b0 : b1;
  if (kA !== kB) {
    throw new Error(
      `@tirl/backend-native: inner dimensions ${kA} and ${kB} of [${aShape}] and [${bShape}] (transposeA=${transposeA}, transposeB=${transposeB}) must match.`,
    );
  }
  const batchA = aShape.slice(0, -2);
  const batchB = bShape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const padA = [...new Array(rank - batchA.length).fill(1), ...batchA];
  const padB = [...new Array(rank - batchB.length).fill(1), ...batchB];
  const outBatch = padA.map((da, i) => {
    const db = padB[i];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`@tirl/backend-native: batch dims of [${aShape}] and [${bShape}] do not broadcast (${da} vs ${db} at batch axis ${i}).`);
    }
    return da === 1 ? db : da;
  });
  const batch = outBatch.reduce((x, y) => x * y, 1);
  const aOffsets = new Int32Array(batch);
  const bOffsets = new Int32Array(batch);
  const stridesA = batchStrides(padA, m * kA);
  const stridesB = batchStrides(padB, kA * n);
  for (let i = 0; i < batch; i++) {
    let rest = i;
    let offA = 0;
    let offB = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const idx = rest % outBatch[d];
      rest = (rest - idx) / outBatch[d];
      if (padA[d] !== 1) offA += idx * stridesA[d];
      if (padB[d] !== 1) offB += idx * stridesB[d];
    }
    aOffsets[i] = offA;
    bOffsets[i] = offB;
  }
  return { outShape: [...outBatch, m, n], batch, m, n, k: kA, aOffsets, bOffsets };
}

function batchStrides(dims: number[], matrixSize: number): number[] {
  const strides = new Array<number>(dims.length);
  let s = matrixSize;
  for (let d = dims.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= dims[d];
  }
  return strides;
}
