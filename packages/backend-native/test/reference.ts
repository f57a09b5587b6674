/** Plain-JS `op(a) · op(b)` with numpy batch broadcasting, in float64: the oracle for the native kernels. */
export function referenceMatMul(
  a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], transposeA: boolean, transposeB: boolean,
): { data: Float64Array; shape: number[] } {
  const [a0, a1] = aShape.slice(-2);
  const [b0, b1] = bShape.slice(-2);
  const m = transposeA ? a1 : a0;
  const k = transposeA ? a0 : a1;
  const n = transposeB ? b0 : b1;
  const batchA = aShape.slice(0, -2);
  const batchB = bShape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const padA = [...Array(rank - batchA.length).fill(1), ...batchA];
  const padB = [...Array(rank - batchB.length).fill(1), ...batchB];
  const outBatch = padA.map((d, i) => Math.max(d, padB[i]));
  const batch = outBatch.reduce((x, y) => x * y, 1);
  const out = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    // Unravel the output batch index, then ravel it into each operand (size-1 axes repeat).
    let rest = bi;
    let ia = 0;
    let ib = 0;
    let sa = 1;
    let sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const idx = rest % outBatch[d];
      rest = Math.floor(rest / outBatch[d]);
      ia += (padA[d] === 1 ? 0 : idx) * sa;
      ib += (padB[d] === 1 ? 0 : idx) * sb;
      sa *= padA[d];
      sb *= padB[d];
    }
    const aBase = ia * m * k;
    const bBase = ib * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[aBase + (transposeA ? p * m + i : i * k + p)];
          const bv = b[bBase + (transposeB ? j * k + p : p * n + j)];
          s += av * bv;
        }
        out[bi * m * n + i * n + j] = s;
      }
    }
  }
  return { data: out, shape: [...outBatch, m, n] };
}

/** Largest |got - want| over all elements. */
export function maxAbsDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} != ${want.length}`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst;
}
