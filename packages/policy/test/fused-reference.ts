/**
 * Plain-JS float64 references for the fused ops (written from the formulas, not from the kernels) and a
 * central finite-difference gradient, the oracle for every backward pass.
 */

/** Per row: log softmax(h · wᵀ)[target] and the entropy -Σ p log p. h [N, H], w [V, H]. */
export function refLmHead(h: ArrayLike<number>, w: ArrayLike<number>, targets: ArrayLike<number>, N: number, H: number, V: number) {
  const logProbs = new Float64Array(N);
  const entropies = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const z = new Float64Array(V);
    for (let v = 0; v < V; v++) for (let k = 0; k < H; k++) z[v] += h[n * H + k] * w[v * H + k];
    const max = Math.max(...z);
    const lse = max + Math.log(z.reduce((s, x) => s + Math.exp(x - max), 0));
    const t = targets[n];
    logProbs[n] = (t >= 0 && t < V ? z[t] : 0) - lse;
    entropies[n] = -z.reduce((s, x) => s + Math.exp(x - lse) * (x - lse), 0);
  }
  return { logProbs, entropies };
}

/** x / sqrt(mean(x²) + eps) * weight per row of `width`. */
export function refRmsNorm(x: ArrayLike<number>, weight: ArrayLike<number>, width: number, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / width; r++) {
    let ss = 0;
    for (let j = 0; j < width; j++) ss += x[r * width + j] ** 2;
    const inv = 1 / Math.sqrt(ss / width + eps);
    for (let j = 0; j < width; j++) out[r * width + j] = x[r * width + j] * inv * weight[j];
  }
  return out;
}

/** silu(g) * u = g / (1 + e^-g) * u. */
export function refSwiglu(gate: ArrayLike<number>, up: ArrayLike<number>): Float64Array {
  return Float64Array.from(gate, (g, i) => (g / (1 + Math.exp(-g))) * up[i]);
}

/** HF rotary: y = x cos + rotate_half(x) sin, rotate_half(x) = [-x2, x1]; x [N, heads, D], cos/sin [N, D]. */
export function refRope(x: ArrayLike<number>, cos: ArrayLike<number>, sin: ArrayLike<number>, N: number, heads: number, D: number): Float64Array {
  const out = new Float64Array(x.length);
  const half = D / 2;
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < heads; h++) {
      const base = (n * heads + h) * D;
      for (let j = 0; j < D; j++) {
        const rotated = j < half ? -x[base + j + half] : x[base + j - half];
        out[base + j] = x[base + j] * cos[n * D + j] + rotated * sin[n * D + j];
      }
    }
  }
  return out;
}

/** d(Σ f(x) · seed)/dx by central differences in float64. */
export function numericGrad(f: (x: Float64Array) => Float64Array, x: ArrayLike<number>, seed: ArrayLike<number>, step = 1e-5): Float64Array {
  const base = Float64Array.from(x);
  const grad = new Float64Array(base.length);
  const dot = (y: Float64Array) => y.reduce((s, v, i) => s + v * seed[i], 0);
  for (let i = 0; i < base.length; i++) {
    const keep = base[i];
    base[i] = keep + step;
    const up = dot(f(base));
    base[i] = keep - step;
    const down = dot(f(base));
    base[i] = keep;
    grad[i] = (up - down) / (2 * step);
  }
  return grad;
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxDiff: ${a.length} vs ${b.length} values`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Deterministic uniform(-1, 1). */
export function seeded(seed: number): (n: number) => Float32Array {
  let s = seed >>> 0;
  return (n) =>
    Float32Array.from({ length: n }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 2 ** 32) * 2 - 1;
    });
}

/**
 * softmax(q · kᵀ over allowed keys) v per query row; q [B, H, Tq, D], k/v [B, Hkv, S, D]; query head h
 * reads kv head floor(h / (H / Hkv)); key j is allowed for (b, t) when valid[b][j] and j <= limit[t].
 */
export function refAttention(
  q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, valid: number[][], limit: number[],
  [B, H, Hkv, Tq, S, D]: number[],
): Float64Array {
  const out = new Float64Array(B * H * Tq * D);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / (H / Hkv));
      for (let t = 0; t < Tq; t++) {
        const qOff = ((b * H + h) * Tq + t) * D;
        const scores: number[] = [];
        const keys: number[] = [];
        for (let j = 0; j < S; j++) {
          if (!valid[b][j] || j > limit[t]) continue;
          let s = 0;
          for (let d = 0; d < D; d++) s += q[qOff + d] * k[((b * Hkv + kvh) * S + j) * D + d];
          scores.push(s);
          keys.push(j);
        }
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((x, y) => x + y, 0);
        keys.forEach((j, i) => {
          for (let d = 0; d < D; d++) out[qOff + d] += (e[i] / sum) * v[((b * Hkv + kvh) * S + j) * D + d];
        });
      }
    }
  }
  return out;
}
