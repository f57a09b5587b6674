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

/** Row-major strides of `shape`. */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/** Unravels a flat index of `shape` into per-axis indices. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

/** Plain-JS transpose: `out[i_0..i_r] = x[j]` with `j[perm[d]] = i_d`. */
export function referenceTranspose(x: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    const idx = unravel(i, outShape);
    out[i] = x[idx.reduce((off, v, d) => off + v * inStrides[perm[d]], 0)];
  }
  return out;
}

/** Plain-JS numpy-broadcast binary op in float64. */
export function referenceBinary(
  f: (x: number, y: number) => number, a: ArrayLike<number>, aShape: number[], b: ArrayLike<number>, bShape: number[],
): { data: number[]; shape: number[] } {
  const rank = Math.max(aShape.length, bShape.length);
  const padA = [...Array(rank - aShape.length).fill(1), ...aShape];
  const padB = [...Array(rank - bShape.length).fill(1), ...bShape];
  const shape = padA.map((d, i) => (d === 1 ? padB[i] : d));
  const sa = stridesOf(padA);
  const sb = stridesOf(padB);
  const size = shape.reduce((x, y) => x * y, 1);
  const data = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    const idx = unravel(i, shape);
    let ia = 0;
    let ib = 0;
    idx.forEach((v, d) => {
      ia += (padA[d] === 1 ? 0 : v) * sa[d];
      ib += (padB[d] === 1 ? 0 : v) * sb[d];
    });
    data[i] = f(a[ia], b[ib]);
  }
  return { data, shape };
}

/** Plain-JS sum over `axes` (float64), keeping the remaining axes in order. */
export function referenceSum(x: ArrayLike<number>, shape: number[], axes: number[]): { data: number[]; shape: number[] } {
  const keep = shape.map((_, d) => !axes.includes(d));
  const outShape = shape.filter((_, d) => keep[d]);
  const outStrides = stridesOf(outShape);
  const data = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  const size = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < size; i++) {
    const idx = unravel(i, shape).filter((_, d) => keep[d]);
    data[idx.reduce((off, v, d) => off + v * outStrides[d], 0)] += x[i];
  }
  return { data, shape: outShape };
}
