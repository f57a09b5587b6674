/**
 * An independent float64 forward pass of the Llama / Qwen2 decoder in plain loops (no tfjs), written
 * from the Hugging Face modelling code: RMSNorm, rotate-half rotary embeddings, grouped-query
 * attention (query head h reads kv head floor(h / G)), SwiGLU, optional q/k/v bias, tied head.
 */
export interface RefConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  tieWordEmbeddings: boolean;
  attentionBias: boolean;
}

type Weights = Map<string, { shape: number[]; data: ArrayLike<number> }>;
type Vec = Float64Array;

/** Logits `[T][V]` for one sequence. */
export function referenceLogits(c: RefConfig, weights: Weights, ids: number[]): number[][] {
  const W = (name: string) => {
    const w = weights.get(name);
    if (!w) throw new Error(`reference: missing ${name}`);
    return w.data;
  };
  // y[o] = sum_i W[o, i] x[i] + b[o]   (W in HF layout [out, in])
  const lin = (x: Vec, name: string, out: number, bias?: string): Vec => {
    const w = W(name);
    const inDim = x.length;
    const y = new Float64Array(out);
    for (let o = 0; o < out; o++) {
      let s = bias ? W(bias)[o] : 0;
      for (let i = 0; i < inDim; i++) s += w[o * inDim + i] * x[i];
      y[o] = s;
    }
    return y;
  };
  const norm = (x: Vec, name: string): Vec => {
    let ms = 0;
    for (const v of x) ms += v * v;
    const r = 1 / Math.sqrt(ms / x.length + c.rmsNormEps);
    const w = W(name);
    return x.map((v, i) => v * r * w[i]);
  };
  const D = c.headDim;
  const rope = (x: Vec, heads: number, pos: number): Vec => {
    const out = new Float64Array(x.length);
    for (let h = 0; h < heads; h++) {
      for (let j = 0; j < D; j++) {
        const freq = 1 / Math.pow(c.ropeTheta, (2 * (j % (D / 2))) / D);
        const angle = pos * freq;
        const rot = j < D / 2 ? -x[h * D + j + D / 2] : x[h * D + j - D / 2];
        out[h * D + j] = x[h * D + j] * Math.cos(angle) + rot * Math.sin(angle);
      }
    }
    return out;
  };
  const H = c.hiddenSize;
  const G = c.numAttentionHeads / c.numKeyValueHeads;
  const emb = W('model.embed_tokens.weight');
  let xs: Vec[] = ids.map((id) => Float64Array.from({ length: H }, (_, i) => emb[id * H + i]));
  for (let l = 0; l < c.numHiddenLayers; l++) {
    const p = `model.layers.${l}`;
    const b = (n: string) => (c.attentionBias ? `${p}.self_attn.${n}.bias` : undefined);
    const hs = xs.map((x) => norm(x, `${p}.input_layernorm.weight`));
    const qs = hs.map((h, t) => rope(lin(h, `${p}.self_attn.q_proj.weight`, c.numAttentionHeads * D, b('q_proj')), c.numAttentionHeads, t));
    const ks = hs.map((h, t) => rope(lin(h, `${p}.self_attn.k_proj.weight`, c.numKeyValueHeads * D, b('k_proj')), c.numKeyValueHeads, t));
    const vs = hs.map((h) => lin(h, `${p}.self_attn.v_proj.weight`, c.numKeyValueHeads * D, b('v_proj')));
    xs = xs.map((x, t) => {
      const attn = new Float64Array(c.numAttentionHeads * D);
      for (let h = 0; h < c.numAttentionHeads; h++) {
        const kv = Math.floor(h / G);
        const scores = Array.from({ length: t + 1 }, (_, s) => {
          let dot = 0;
          for (let j = 0; j < D; j++) dot += qs[t][h * D + j] * ks[s][kv * D + j];
          return dot / Math.sqrt(D);
        });
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, v) => a + v, 0);
        for (let s = 0; s <= t; s++) for (let j = 0; j < D; j++) attn[h * D + j] += (e[s] / z) * vs[s][kv * D + j];
      }
      const o = lin(attn, `${p}.self_attn.o_proj.weight`, H);
      const x1 = x.map((v, i) => v + o[i]);
      const h2 = norm(x1, `${p}.post_attention_layernorm.weight`);
      const gate = lin(h2, `${p}.mlp.gate_proj.weight`, c.intermediateSize);
      const up = lin(h2, `${p}.mlp.up_proj.weight`, c.intermediateSize);
      const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
      const down = lin(act, `${p}.mlp.down_proj.weight`, H);
      return x1.map((v, i) => v + down[i]);
    });
  }
  const head = c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  return xs.map((x) => Array.from(lin(norm(x, 'model.norm.weight'), head, c.vocabSize)));
}
