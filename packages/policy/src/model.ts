import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './config';
import { ensureGradients } from './gradients';
import { attention, type AttentionMask } from './kernels/attention';
import { TiedGradient } from './kernels/embedding';
import { LoraAdapter, parseLoraOptions, type LoraOptionsInput } from './lora';
import { lmHeadLogProbs } from './kernels/lm-head-log-probs';
import { applyRope } from './kernels/rope';
import { swiglu } from './kernels/swiglu';
import { embed, linear, rmsNorm, rotateHalfMatrix, ropeTables } from './ops';
import { expectedShapes } from './weights';

/** Keys and values of one layer for a batch: `[B, Hkv, S, D]` each. */
export interface LayerKV {
  k: tf.Tensor4D;
  v: tf.Tensor4D;
}

/** Which key columns each query may see, described on the host. */
export interface AttentionLayout {
  /** `[B][S]`: key column s of row b holds a real token. */
  validKeys: Uint8Array[];
  /** Column index (in the S axis) of each query t; a query sees keys at columns ≤ its own. */
  queryColumns: number[];
  /** `[B * Tq]` absolute position of each query token (for rotary embeddings). */
  positions: ArrayLike<number>;
}

/**
 * Rows of the input embeddings to replace (a vision-language model's image features): row `rows[k]` of
 * the flattened `[B·T]` input takes `values[k]` instead of its token's embedding.
 */
export interface EmbeddingOverride {
  rows: Int32Array;
  /** `[rows.length, hidden]`. */
  values: tf.Tensor2D;
}

export interface LogProbsOptions {
  /** Also return the entropy of each position's predictive distribution. */
  entropy?: boolean;
  /** Input embeddings to replace (image features at image-token positions). */
  inputEmbeds?: EmbeddingOverride;
  /**
   * Compute the LM head, log-softmax and gather as one op chunked over the vocabulary (default true), so
   * no `[B·T, V]` tensor is held; `false` materialises the logits (kept to measure the difference).
   */
  fusedHead?: boolean;
}

export interface LogProbsResult {
  /** `[B, T]`: position t holds log π(ids[t] | ids[<t]); position 0 and padding hold 0. */
  logProbs: tf.Tensor2D;
  /** `[B, T]`: position t holds the entropy of π(· | ids[<t]); position 0 and padding hold 0. */
  entropies?: tf.Tensor2D;
}

const MASKED = -1e9;

ensureGradients();

/**
 * A Llama / Qwen2 decoder-only transformer with float32 weights held as `tf.Variable`s under their
 * Hugging Face names. All tensor-returning methods are pure (run them inside `tf.tidy` or dispose).
 */
export class CausalLM {
  private readonly weights: Map<string, tf.Variable>;
  private readonly rotateHalf: tf.Tensor2D;
  private disposed = false;
  /** Set while `logProbs` runs the forward pass of a tied model: the embedding takes the head's gradient. */
  private tiedGradient?: TiedGradient;
  private lastTiedGradient?: TiedGradient;
  private lora?: LoraAdapter;
  private adaptersOn = true;
  /** Set while computing gradients: enables LoRA dropout. */
  training = false;
  /** Recompute each layer's activations in the backward pass instead of keeping them (while `training`). */
  gradientCheckpointing = false;

  /**
   * `weights` is a map (copied into new variables; the caller keeps its tensors) or a function that
   * makes each weight on demand (its tensors are disposed here once held), so a loader never holds
   * more than one tensor beside the model.
   */
  constructor(
    readonly config: ModelConfig,
    weights: Map<string, tf.Tensor> | ((name: string, shape: number[]) => tf.Tensor),
    options: { trainable?: boolean } = {},
  ) {
    const trainable = options.trainable ?? true;
    this.weights = new Map();
    try {
      for (const [name, shape] of expectedShapes(config)) {
        const w = typeof weights === 'function' ? weights(name, shape) : weights.get(name);
        if (!w) throw new Error(`CausalLM: missing weight "${name}" (shape [${shape}])`);
        if (!sameShape(w.shape, shape)) throw new Error(`CausalLM: weight "${name}" has shape [${w.shape}], expected [${shape}]`);
        const f32 = w.dtype === 'float32' ? w : tf.tidy(() => tf.cast(w, 'float32'));
        this.weights.set(name, tf.variable(f32, trainable));
        // The variable holds its own reference; a handle kept here would pin the first value after an update.
        if (f32 !== w) f32.dispose();
        if (typeof weights === 'function') w.dispose();
      }
    } catch (e) {
      for (const v of this.weights.values()) v.dispose();
      throw e;
    }
    this.rotateHalf = rotateHalfMatrix(config.headDim);
  }

  /** The weights under their Hugging Face names (the live variables, not copies). */
  namedWeights(): Map<string, tf.Variable> {
    return this.weights;
  }

  /**
   * What training updates, by checkpoint name: the adapters under their PEFT names when the model has
   * LoRA adapters, else every trainable base weight under its Hugging Face name.
   */
  trainableWeights(): Map<string, tf.Variable> {
    if (this.lora) return this.lora.namedWeights();
    return new Map([...this.weights].filter(([, v]) => v.trainable));
  }

  /** The variables to differentiate with `tf.variableGrads` (empty for a frozen copy). */
  trainableVariables(): tf.Variable[] {
    return [...this.trainableWeights().values()];
  }

  /** The LoRA adapters, when added. */
  get adapter(): LoraAdapter | undefined {
    return this.lora;
  }

  /**
   * Adds fresh LoRA adapters (B = 0, so outputs are unchanged) and freezes every base weight. Options
   * are validated (`lora.r`, `lora.alpha`, `lora.dropout`, `lora.targetModules`, `lora.useRslora`).
   */
  addAdapter(options: LoraOptionsInput = {}, seed = 0): LoraAdapter {
    return this.setAdapter(LoraAdapter.init(this.config, parseLoraOptions(options), expectedShapes(this.config), seed));
  }

  /** Installs `adapter` (taking ownership) and freezes the base weights. */
  setAdapter(adapter: LoraAdapter): LoraAdapter {
    if (this.lora) throw new Error('CausalLM: the model already has a LoRA adapter; dispose it with removeAdapter() first');
    for (const v of this.weights.values()) v.trainable = false;
    this.lora = adapter;
    return adapter;
  }

  /** Drops the adapters (unmerging first if merged); base weights stay frozen. */
  removeAdapter(): void {
    if (!this.lora) return;
    if (this.lora.merged) this.unmergeAdapter();
    this.lora.dispose();
    this.lora = undefined;
  }

  /** Adds `scaling · B A` into each adapted base weight; the forward pass then skips the adapters. */
  mergeAdapter(): void {
    const lora = this.requireAdapter('mergeAdapter');
    if (lora.merged) return;
    for (const module of lora.pairs.keys()) {
      const w = this.w(`${module}.weight`);
      tf.tidy(() => w.assign(tf.add(w, lora.weightDelta(module))));
    }
    lora.merged = true;
  }

  /** Subtracts what {@link mergeAdapter} added. */
  unmergeAdapter(): void {
    const lora = this.requireAdapter('unmergeAdapter');
    if (!lora.merged) return;
    for (const module of lora.pairs.keys()) {
      const w = this.w(`${module}.weight`);
      tf.tidy(() => w.assign(tf.sub(w, lora.weightDelta(module))));
    }
    lora.merged = false;
  }

  /** Runs `fn` with the adapters switched off (the base model); the KL reference of a LoRA run. */
  withAdaptersDisabled<T>(fn: () => T): T {
    if (this.lora?.merged) throw new Error('CausalLM: adapters are merged into the base weights; unmergeAdapter() before asking for the base model');
    const before = this.adaptersOn;
    this.adaptersOn = false;
    try {
      return fn();
    } finally {
      this.adaptersOn = before;
    }
  }

  /**
   * The frozen reference policy for KL terms: for a LoRA model, this model with adapters switched off
   * (no second copy of the weights); otherwise a frozen deep copy. Dispose it when done.
   */
  referenceModel(): Pick<CausalLM, 'logProbs' | 'dispose' | 'namedWeights'> {
    if (!this.lora) return this.clone({ trainable: false });
    return {
      logProbs: (ids, mask, options) => this.withAdaptersDisabled(() => this.logProbs(ids, mask, options)),
      namedWeights: () => this.namedWeights(),
      dispose: () => undefined,
    };
  }

  /** A deep copy of the base weights and of the adapters; `{ trainable: false }` gives a frozen model. */
  clone(options: { trainable?: boolean } = {}): CausalLM {
    const copy = new CausalLM(this.config, this.weights, { trainable: options.trainable ?? true });
    if (this.lora) {
      const pairs = new Map([...this.lora.pairs].map(([m, { a, b }]) => [m, { a: a as tf.Tensor, b: b as tf.Tensor }]));
      const adapter = copy.setAdapter(new LoraAdapter(this.lora.options, pairs));
      adapter.merged = this.lora.merged;
      if (options.trainable === false) for (const v of adapter.namedWeights().values()) v.trainable = false;
    }
    return copy;
  }

  dispose(): void {
    this.lastTiedGradient?.dispose();
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.weights.values()) v.dispose();
    this.lora?.dispose();
    this.rotateHalf.dispose();
  }

  /**
   * Final hidden states (after the last norm) → `[B, T, H]`.
   * @param ids `[B, T]` int32 token ids.
   * @param attentionMask `[B, T]`, 1 for real tokens and 0 for padding (left or right); default all ones.
   */
  hiddenStates(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D, inputEmbeds?: EmbeddingOverride): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      const layout = fullLayout(B, T, attentionMask);
      return this.forward(ids, layout, undefined, inputEmbeds).hidden;
    });
  }

  /** Next-token logits `[B, T, V]`: position t scores token t + 1. */
  logits(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D, inputEmbeds?: EmbeddingOverride): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      const h = this.hiddenStates(ids, attentionMask, inputEmbeds);
      return tf.reshape(this.head(tf.reshape(h, [B * T, this.config.hiddenSize])), [B, T, this.config.vocabSize]);
    });
  }

  /**
   * Per-token log-probs of `ids` under the model (temperature 1), aligned with core's `buildBatch`:
   * position t holds log π(ids[t] | ids[<t]), position 0 holds 0, padding holds 0. Differentiable.
   * @param ids `[B, T]` int32; @param attentionMask `[B, T]` 1/0.
   */
  logProbs(ids: tf.Tensor2D, attentionMask: tf.Tensor2D, options: LogProbsOptions = {}): LogProbsResult {
    const [B, T] = ids.shape;
    const V = this.config.vocabSize;
    return tf.tidy(() => {
      // target at (b, t) is ids[b, t + 1]; the last column's target is irrelevant (sliced off below).
      const next = tf.reshape(tf.concat([tf.slice(ids, [0, 1], [B, T - 1]), tf.zeros([B, 1], 'int32')], 1), [B * T]) as tf.Tensor1D;
      let picked: tf.Tensor;
      let ent: tf.Tensor | undefined;
      if (options.fusedHead ?? true) {
        // Tied matrix: the head hands its gradient to the embedding lookup's backward (one [V, H] buffer).
        const tied = this.config.tieWordEmbeddings && TiedGradient.supported() ? new TiedGradient() : undefined;
        this.lastTiedGradient?.dispose(); // a gradient no embedding backward took (none ran)
        this.lastTiedGradient = tied;
        this.tiedGradient = tied;
        let hidden: tf.Tensor3D;
        try {
          hidden = this.hiddenStates(ids, attentionMask, options.inputEmbeds);
        } finally {
          this.tiedGradient = undefined;
        }
        const h = tf.reshape(hidden, [B * T, this.config.hiddenSize]) as tf.Tensor2D;
        const out = lmHeadLogProbs(h, this.headWeight(), next, { entropy: options.entropy, tied });
        picked = tf.reshape(out.logProbs, [B, T]);
        if (out.entropies) ent = tf.reshape(out.entropies, [B, T]);
      } else {
        const logp = tf.logSoftmax(tf.reshape(this.logits(ids, attentionMask, options.inputEmbeds), [B * T, V]));
        picked = tf.reshape(tf.sum(tf.mul(logp, tf.oneHot(next, V)), -1), [B, T]);
        if (options.entropy) ent = tf.reshape(tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)), [B, T]);
      }
      const shift = (x: tf.Tensor): tf.Tensor2D =>
        tf.mul(tf.concat([tf.zeros([B, 1]), tf.slice(x, [0, 0], [B, T - 1])], 1), attentionMask) as tf.Tensor2D;
      const result: LogProbsResult = { logProbs: shift(picked) };
      if (ent) result.entropies = shift(ent);
      return result as unknown as tf.TensorContainerObject;
    }) as unknown as LogProbsResult;
  }

  /** Output projection `[N, H]` → `[N, V]` (the embedding matrix when tied). */
  head(hidden: tf.Tensor2D): tf.Tensor2D {
    return linear(hidden, this.headWeight());
  }

  /** The output projection `[V, H]` (the embedding matrix when tied). */
  private headWeight(): tf.Tensor2D {
    return (this.config.tieWordEmbeddings ? this.w('model.embed_tokens.weight') : this.w('lm_head.weight')) as tf.Tensor2D;
  }

  /**
   * One forward pass over a chunk of `Tq` new tokens per row, attending to `past` keys/values
   * (`[B, Hkv, P, D]`) followed by the chunk's own. Returns final hidden states `[B, Tq, H]` and the
   * keys/values `[B, Hkv, P + Tq, D]` of every layer. Run inside `tf.tidy`.
   */
  forward(ids: tf.Tensor2D, layout: AttentionLayout, past?: readonly LayerKV[], inputEmbeds?: EmbeddingOverride): { hidden: tf.Tensor3D; present: LayerKV[] } {
    const c = this.config;
    const [B, Tq] = ids.shape;
    const N = B * Tq;
    const { cos, sin } = ropeTables(layout.positions, c.headDim, c.ropeTheta, c.ropeScaling);
    const S = (past?.[0]?.k.shape[2] ?? 0) + Tq;
    const mask = attentionMask(layout, B, Tq, S, c.numAttentionHeads / c.numKeyValueHeads);
    let x = embed(this.w('model.embed_tokens.weight') as tf.Tensor2D, tf.reshape(ids, [N]) as tf.Tensor1D, this.tiedGradient);
    if (inputEmbeds) x = overrideRows(x, inputEmbeds);
    const present: LayerKV[] = [];
    // Only while gradients are taken (the trainer sets `training`): decoding needs every layer's keys/values.
    const recompute = this.gradientCheckpointing && this.training && !past;
    if (recompute && (this.lora?.options.dropout ?? 0) > 0) {
      throw new Error('CausalLM: gradient checkpointing with LoRA dropout would recompute a different dropout mask; set lora.dropout to 0');
    }
    // Without a gradient tape nothing reads a layer's intermediates once its output is out: free them layer by
    // layer (a no-gradient pass over a whole rollout batch would otherwise hold every layer's until it ends).
    if (!recompute && !(tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn()) {
      return { hidden: this.forwardFreeing(x, B, Tq, cos, sin, mask, past, present), present };
    }
    for (let i = 0; i < c.numHiddenLayers; i++) {
      x = recompute
        ? this.checkpointed(x, i, [cos, sin, mask.keyValid, mask.queryLimit], (input, [cs, sn, keyValid, queryLimit]) => {
            // a fresh mask per pass: the lazily built bias must not outlive the pass that made it
            let bias: tf.Tensor4D | undefined;
            const m: AttentionMask = { keyValid: keyValid as tf.Tensor2D, queryLimit: queryLimit as tf.Tensor1D, bias: () => (bias ??= attentionBias(layout, B, Tq, S, c.numAttentionHeads / c.numKeyValueHeads)) };
            return this.layer(input, i, B, Tq, cs as tf.Tensor2D, sn as tf.Tensor2D, m, undefined, []);
          })
        : this.layer(x, i, B, Tq, cos, sin, mask, past?.[i], present);
    }
    const hidden = tf.reshape(rmsNorm(x, this.w('model.norm.weight') as tf.Tensor1D, c.rmsNormEps), [B, Tq, c.hiddenSize]) as tf.Tensor3D;
    return { hidden, present };
  }

  /**
   * The layers of `forward` when no gradient is recorded, each in its own tidy that keeps only its output and
   * keys/values; the layer's input is freed once the layer has run. Same ops, same results.
   */
  private forwardFreeing(
    x0: tf.Tensor2D,
    B: number,
    Tq: number,
    cos: tf.Tensor2D,
    sin: tf.Tensor2D,
    mask: AttentionMask,
    past: readonly LayerKV[] | undefined,
    present: LayerKV[],
  ): tf.Tensor3D {
    const c = this.config;
    // the lazily built bias is shared by every layer: it must outlive the tidy of the layer that builds it
    let bias: tf.Tensor4D | undefined;
    const shared: AttentionMask = { keyValid: mask.keyValid, queryLimit: mask.queryLimit, bias: () => (bias ??= tf.keep(mask.bias())) };
    let x = x0;
    try {
      for (let i = 0; i < c.numHiddenLayers; i++) {
        const input = x;
        const [y, k, v] = tf.tidy(() => {
          const kv: LayerKV[] = [];
          const out = this.layer(input, i, B, Tq, cos, sin, shared, past?.[i], kv);
          return [out, kv[0].k, kv[0].v];
        });
        present.push({ k: k as tf.Tensor4D, v: v as tf.Tensor4D });
        if (input !== x0) input.dispose();
        x = y as tf.Tensor2D;
      }
    } finally {
      bias?.dispose();
    }
    return tf.reshape(rmsNorm(x, this.w('model.norm.weight') as tf.Tensor1D, c.rmsNormEps), [B, Tq, c.hiddenSize]) as tf.Tensor3D;
  }

  /** One decoder layer: `[N, H]` → `[N, H]`; appends the layer's keys/values to `present`. */
  private layer(
    x: tf.Tensor2D,
    i: number,
    B: number,
    Tq: number,
    cos: tf.Tensor2D,
    sin: tf.Tensor2D,
    mask: AttentionMask,
    past: LayerKV | undefined,
    present: LayerKV[],
  ): tf.Tensor2D {
    const c = this.config;
    const p = `model.layers.${i}`;
    const h = rmsNorm(x, this.w(`${p}.input_layernorm.weight`) as tf.Tensor1D, c.rmsNormEps);
    const attn = this.attention(h, p, B, Tq, cos, sin, mask, past, present);
    const mid = tf.add(x, attn) as tf.Tensor2D;
    const h2 = rmsNorm(mid, this.w(`${p}.post_attention_layernorm.weight`) as tf.Tensor1D, c.rmsNormEps);
    const gate = this.proj(h2, `${p}.mlp.gate_proj`);
    const up = this.proj(h2, `${p}.mlp.up_proj`);
    return tf.add(mid, this.proj(swiglu(gate, up), `${p}.mlp.down_proj`));
  }

  /**
   * Runs `layer` without keeping its activations; the backward pass runs it again from the saved input
   * and differentiates that (per-layer activation recomputation, Chen et al., "Training Deep Nets with
   * Sublinear Memory Cost", arXiv 1604.06174). Gradients reach the layer's trainable variables.
   */
  private checkpointed(x: tf.Tensor2D, i: number, consts: tf.Tensor[], layer: (input: tf.Tensor2D, consts: tf.Tensor[]) => tf.Tensor2D): tf.Tensor2D {
    const prefix = `model.layers.${i}.`;
    const vars = [...this.trainableWeights()].filter(([name]) => name.includes(prefix)).map(([, v]) => v);
    const fn = tf.customGrad(((input: tf.Tensor2D, ...rest: unknown[]) => {
      const save = rest[rest.length - 1] as tf.GradSaveFunc;
      // Saved tensors outlive the forward pass's tidy; the rotary tables and mask are needed again.
      save([input, ...consts]);
      return {
        value: layer(input, consts),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          // tfjs keeps one tape: a gradient computed inside a backward pass must not clobber the outer one.
          const state = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
          const outer = state.activeTape;
          try {
            const { grads } = tf.engine().gradients(() => layer(saved[0] as tf.Tensor2D, saved.slice(1)), [saved[0], ...vars], dy, true);
            return grads.map((g, k) => g ?? tf.zerosLike(k === 0 ? saved[0] : vars[k - 1]));
          } finally {
            state.activeTape = outer;
          }
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as (...inputs: tf.Tensor[]) => tf.Tensor;
    return fn(x, ...vars) as tf.Tensor2D;
  }

  private attention(
    h: tf.Tensor2D,
    p: string,
    B: number,
    Tq: number,
    cos: tf.Tensor2D,
    sin: tf.Tensor2D,
    mask: AttentionMask,
    past: LayerKV | undefined,
    present: LayerKV[],
  ): tf.Tensor2D {
    const c = this.config;
    const D = c.headDim;
    const H = c.numAttentionHeads;
    const Hkv = c.numKeyValueHeads;
    const proj = (name: string) => this.proj(h, `${p}.self_attn.${name}`, c.attentionBias);
    // [B*Tq, heads*D] → rotary → [B, heads, Tq, D]
    const toHeads = (x: tf.Tensor2D, heads: number, rotate: boolean, norm?: string): tf.Tensor4D => {
      let y = tf.reshape(x, [B * Tq, heads, D]) as tf.Tensor3D;
      if (norm) y = rmsNorm(y, this.w(`${p}.self_attn.${norm}.weight`) as tf.Tensor1D, c.rmsNormEps);
      if (rotate) y = applyRope(y, cos, sin, this.rotateHalf);
      return tf.transpose(tf.reshape(y, [B, Tq, heads, D]), [0, 2, 1, 3]) as tf.Tensor4D;
    };
    // Qwen3 normalises each head before rotary embeddings; the 1/√D scale then goes on the scores' query side.
    const qn = c.qkNorm ? 'q_norm' : undefined;
    const q = c.qkNorm ? (tf.mul(toHeads(proj('q_proj'), H, true, qn), 1 / Math.sqrt(D)) as tf.Tensor4D) : toHeads(tf.mul(proj('q_proj'), 1 / Math.sqrt(D)) as tf.Tensor2D, H, true);
    let k = toHeads(proj('k_proj'), Hkv, true, c.qkNorm ? 'k_norm' : undefined);
    let v = toHeads(proj('v_proj'), Hkv, false);
    if (past) {
      k = tf.concat([past.k, k], 2);
      v = tf.concat([past.v, v], 2);
    }
    present.push({ k, v });
    // Query head h reads kv head h / (H / Hkv) (HF repeat_kv) without repeating keys and values.
    const out = attention(q, k, v, mask); // [B, H, Tq, D]
    const merged = tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [B * Tq, H * D]) as tf.Tensor2D;
    return this.proj(merged, `${p}.self_attn.o_proj`);
  }

  /** A projection `x W^T (+ b)` plus its LoRA delta when adapters are on and not merged. */
  private proj(x: tf.Tensor2D, module: string, bias = false): tf.Tensor2D {
    const y = linear(x, this.w(`${module}.weight`) as tf.Tensor2D, bias ? (this.w(`${module}.bias`) as tf.Tensor1D) : undefined);
    if (!this.lora || this.lora.merged || !this.adaptersOn) return y;
    const delta = this.lora.delta(module, x, this.training);
    return delta ? tf.add(y, delta) : y;
  }

  private requireAdapter(where: string): LoraAdapter {
    if (!this.lora) throw new Error(`CausalLM.${where}: the model has no LoRA adapter (addAdapter or loadAdapter first)`);
    return this.lora;
  }

  private w(name: string): tf.Variable {
    const v = this.weights.get(name);
    if (!v) throw new Error(`CausalLM: no weight "${name}"`);
    return v;
  }
}

/** `x` with rows `rows[k]` replaced by `values[k]`; the replaced rows pass no gradient to `x`. */
function overrideRows(x: tf.Tensor2D, { rows, values }: EmbeddingOverride): tf.Tensor2D {
  const [N, H] = x.shape;
  if (values.shape[0] !== rows.length || values.shape[1] !== H) {
    throw new Error(`CausalLM: inputEmbeds.values has shape [${values.shape}], expected [${rows.length}, ${H}] (one row per replaced position)`);
  }
  const pick = new Int32Array(N);
  const keep = new Float32Array(N).fill(1);
  rows.forEach((r, k) => {
    if (r < 0 || r >= N) throw new Error(`CausalLM: inputEmbeds.rows[${k}] = ${r} is outside [0, ${N})`);
    pick[r] = k + 1;
    keep[r] = 0;
  });
  // A one-hot product instead of gather: gather's gradient (UnsortedSegmentSum) is missing on wasm, and the
  // features need one when the vision tower trains. Each row adds one value to zeros, so it is exact.
  const K = rows.length + 1;
  const oneHot = new Float32Array(N * K);
  pick.forEach((k, i) => (oneHot[i * K + k] = 1));
  const table = tf.concat([tf.zeros([1, H]), values], 0);
  return tf.add(tf.mul(x, tf.tensor2d(keep, [N, 1])), tf.matMul(tf.tensor2d(oneHot, [N, K]), table)) as tf.Tensor2D;
}

/** Layout of a plain `[B, T]` batch: positions count real tokens, keys are the real tokens. */
function fullLayout(B: number, T: number, attentionMask?: tf.Tensor2D): AttentionLayout {
  const mask = attentionMask ? attentionMask.dataSync() : new Float32Array(B * T).fill(1);
  const validKeys: Uint8Array[] = [];
  const positions = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const row = new Uint8Array(T);
    let seen = 0;
    for (let t = 0; t < T; t++) {
      row[t] = mask[b * T + t] > 0 ? 1 : 0;
      positions[b * T + t] = row[t] ? seen++ : seen;
    }
    validKeys.push(row);
  }
  return { validKeys, queryColumns: Array.from({ length: T }, (_, t) => t), positions };
}

/** The mask in both forms: compact for the fused kernel, an additive bias for the composite path. */
function attentionMask(layout: AttentionLayout, B: number, Tq: number, S: number, G: number): AttentionMask {
  const valid = new Float32Array(B * S);
  for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) valid[b * S + s] = layout.validKeys[b][s] ? 1 : 0;
  let bias: tf.Tensor4D | undefined;
  return {
    keyValid: tf.tensor2d(valid, [B, S]),
    queryLimit: tf.tensor1d(Int32Array.from(layout.queryColumns), 'int32'),
    bias: () => (bias ??= attentionBias(layout, B, Tq, S, G)),
  };
}

/** Additive attention bias `[B, 1, G*Tq, S]`: 0 where a query may attend, -1e9 elsewhere. */
function attentionBias(layout: AttentionLayout, B: number, Tq: number, S: number, G: number): tf.Tensor4D {
  const out = new Float32Array(B * G * Tq * S);
  for (let b = 0; b < B; b++) {
    const valid = layout.validKeys[b];
    for (let t = 0; t < Tq; t++) {
      const limit = layout.queryColumns[t];
      const row = new Float32Array(S);
      for (let s = 0; s < S; s++) row[s] = valid[s] && s <= limit ? 0 : MASKED;
      for (let g = 0; g < G; g++) out.set(row, ((b * G + g) * Tq + t) * S);
    }
  }
  return tf.tensor4d(out, [B, 1, G * Tq, S]);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
