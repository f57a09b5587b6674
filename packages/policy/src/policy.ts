import * as tf from '@tensorflow/tfjs-core';
import type { DecodeOptions, DecodeResult, PolicyGenerator, PolicySession, Rng, SegmentImage, Tokenizer } from '@tirl/core';
import { appendAll, rowRng, TirlError } from '@tirl/core';
import type { AttentionLayout, CausalLM, EmbeddingOverride, LayerKV } from './model';
import { sampleToken } from './sampling';

export interface PolicyOptions {
  /** Maximum tokens per row (prompt + generated); default the model's `maxPositionEmbeddings`. */
  maxContext?: number;
}

/**
 * A model and its tokenizer as the rollout engine sees them: sessions of rows with a KV cache.
 * Behaviour log-probs are log softmax(logits / temperature) of the sampled token (temperature 1 by
 * default; the untempered distribution when greedy), before any top-k / top-p truncation.
 * Stop tokens default to the tokenizer's eos; pass `stopTokenIds: []` to disable.
 */
export class Policy implements PolicyGenerator {
  readonly maxContext: number;

  constructor(
    readonly model: CausalLM,
    readonly tokenizer: Tokenizer,
    options: PolicyOptions = {},
  ) {
    this.maxContext = options.maxContext ?? model.config.maxPositionEmbeddings;
  }

  startSession(): KvSession {
    return new KvSession(this.model, this.tokenizer, this.maxContext);
  }
}

/**
 * How a vision-language session turns images into tokens and decoder-width features (the features
 * replace the embeddings of the `imageTokenId` positions).
 */
export interface SessionImages {
  imageTokenId: number;
  /** How many token ids {@link encode} would give, without computing features. */
  cost(image: SegmentImage): number;
  /** The token ids standing for one image (markers and image-token runs) and its features `[runs, hidden]`. */
  encode(image: SegmentImage): { ids: number[]; features: tf.Tensor2D };
  /** Features of images whose tokens are already in a prompt, in order. */
  features(images: readonly SegmentImage[]): tf.Tensor2D;
}

/** Image features waiting to enter a row's cache: `positions` are absolute token indices. */
interface PendingImage {
  positions: number[];
  features: tf.Tensor2D;
}

interface Row {
  tokens: number[];
  /** Image features of tokens not yet cached. */
  images: PendingImage[];
  /** Tokens `[0, cached)` are in `kv`; the rest are fed at the next generate. */
  cached: number;
  /** Per layer `[1, Hkv, cached, D]`; empty when nothing is cached. */
  kv: LayerKV[];
}

/** A batch being decoded: rows share one padded cache; `columns[i]` lists row i's real key columns. */
interface Working {
  rows: number[];
  columns: number[][];
  kv: LayerKV[];
}

/** {@link PolicySession} over one model, holding one KV cache per row. */
export class KvSession implements PolicySession {
  private readonly rows = new Map<number, Row>();
  private nextRow = 0;

  constructor(
    private readonly model: CausalLM,
    private readonly tokenizer: Tokenizer,
    private readonly maxContext: number,
    private readonly imageSupport?: SessionImages,
  ) {}

  /** Adds a prompt; with `images`, its image-token positions take their features, in order. */
  add(promptIds: readonly number[], images: readonly SegmentImage[] = []): number {
    this.checkIds(promptIds, 'add');
    if (promptIds.length > this.maxContext) throw this.error(`add: prompt of ${promptIds.length} tokens exceeds maxContext ${this.maxContext}`);
    const pending: PendingImage[] = [];
    if (images.length > 0) {
      const support = this.requireImages('add');
      const positions = promptIds.flatMap((t, i) => (t === support.imageTokenId ? [i] : []));
      const features = support.features(images);
      if (features.shape[0] !== positions.length) {
        features.dispose();
        throw this.error(`add: the prompt has ${positions.length} image tokens but its ${images.length} images give ${features.shape[0]} features; expand the prompt with the processor`);
      }
      pending.push({ positions, features });
    } else if (this.imageSupport && promptIds.includes(this.imageSupport.imageTokenId)) {
      const n = promptIds.filter((t) => t === this.imageSupport!.imageTokenId).length;
      throw this.error(`add: the prompt has ${n} image tokens but no images were given; pass the prompt's images (add(ids, images), as encodeChat returns them)`);
    }
    const id = this.nextRow++;
    this.rows.set(id, { tokens: [...promptIds], images: pending, cached: 0, kv: [] });
    return id;
  }

  /** True for a vision-language session (`appendImage` and `add(ids, images)` work). */
  get acceptsImages(): boolean {
    return this.imageSupport !== undefined;
  }

  imageTokenCost(image: SegmentImage): number {
    return this.requireImages('imageTokenCost').cost(image);
  }

  /** Appends an image to a row: its tokens (returned) enter the cache, with its features, at the next generate. */
  appendImage(row: number, image: SegmentImage): number[] {
    const support = this.requireImages('appendImage');
    const r = this.row(row);
    const { ids, features } = support.encode(image);
    const positions = ids.flatMap((t, i) => (t === support.imageTokenId ? [r.tokens.length + i] : []));
    if (r.tokens.length + ids.length > this.maxContext) {
      features.dispose();
      throw this.error(`appendImage: ${ids.length} image tokens would take row ${row} past maxContext ${this.maxContext}`);
    }
    appendAll(r.tokens, ids);
    r.images.push({ positions, features });
    return ids;
  }

  private requireImages(where: string): SessionImages {
    if (!this.imageSupport) throw this.error(`${where}: this policy reads text only; images need a vision-language policy (VlmPolicy)`);
    return this.imageSupport;
  }

  append(row: number, ids: readonly number[]): void {
    this.checkIds(ids, 'append');
    appendAll(this.row(row).tokens, ids);
  }

  fork(row: number): number {
    const src = this.row(row);
    const id = this.nextRow++;
    this.rows.set(id, {
      tokens: [...src.tokens],
      images: src.images.map((im) => ({ positions: [...im.positions], features: tf.clone(im.features) })),
      cached: src.cached,
      kv: src.kv.map(({ k, v }) => ({ k: tf.clone(k), v: tf.clone(v) })),
    });
    return id;
  }

  length(row: number): number {
    return this.row(row).tokens.length;
  }

  /** The row's tokens (prompt, appended and generated). */
  tokens(row: number): number[] {
    return [...this.row(row).tokens];
  }

  release(row: number): void {
    const r = this.row(row);
    disposeKv(r.kv);
    for (const im of r.images) im.features.dispose();
    this.rows.delete(row);
  }

  dispose(): void {
    for (const id of [...this.rows.keys()]) this.release(id);
  }

  async generate(rows: readonly number[], options: DecodeOptions, rng: Rng | readonly Rng[]): Promise<DecodeResult[]> {
    return this.generateSync(rows, options, rng);
  }

  /** The same as {@link generate}, synchronously. */
  generateSync(rows: readonly number[], options: DecodeOptions, rng: Rng | readonly Rng[]): DecodeResult[] {
    if (new Set(rows).size !== rows.length) throw this.error(`generate: rows must be distinct, got [${rows}]`);
    if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 0) {
      throw this.error(`generate: maxNewTokens must be a non-negative integer, got ${options.maxNewTokens}`);
    }
    for (const id of rows) {
      const r = this.row(id);
      if (r.tokens.length === 0) throw this.error(`generate: row ${id} has no tokens; add a prompt first`);
      if (r.tokens.length > this.maxContext) throw this.error(`generate: row ${id} has ${r.tokens.length} tokens, more than maxContext ${this.maxContext}`);
    }
    const results: DecodeResult[] = rows.map(() => ({ tokenIds: [], logProbs: [], finishReason: 'length', ...(options.returnEntropy ? { entropies: [] } : {}) }));
    const slot = new Map(rows.map((id, i) => [id, i]));
    const streams = rows.map((_, i) => rowRng(rng, i, rows.length));
    const active = rows.filter((id) => this.row(id).tokens.length < this.maxContext);
    if (options.maxNewTokens === 0 || active.length === 0) return results;

    let { working, logits } = this.prefill(active);
    const stopIds = new Set(options.stopTokenIds ?? [this.tokenizer.eosTokenId]);
    const stopStrings = (options.stopStrings ?? []).filter((s) => s.length > 0);
    const window = 2 * Math.max(0, ...stopStrings.map((s) => s.length)) + 4;
    try {
      for (;;) {
        const V = logits.length / working.rows.length;
        const finished: number[] = [];
        working.rows.forEach((id, i) => {
          const r = this.row(id);
          const res = results[slot.get(id)!];
          const s = sampleToken(logits.subarray(i * V, (i + 1) * V), options, streams[slot.get(id)!]);
          r.tokens.push(s.token);
          res.tokenIds.push(s.token);
          res.logProbs.push(s.logProb);
          res.entropies?.push(s.entropy);
          const stopString = stopStrings.length ? findStopString(this.tokenizer.decode(res.tokenIds.slice(-window)), stopStrings) : undefined;
          if (stopIds.has(s.token)) res.finishReason = 'stop_token';
          else if (stopString !== undefined) Object.assign(res, { finishReason: 'stop_string', stopString });
          else if (res.tokenIds.length < options.maxNewTokens && r.tokens.length < this.maxContext) return;
          finished.push(i);
        });
        working = this.retire(working, finished);
        if (working.rows.length === 0) break;
        logits = this.step(working);
      }
    } finally {
      this.retire(working, working.rows.map((_, i) => i));
    }
    return results;
  }

  /** Feeds every row's pending tokens on top of its cache; returns next-token logits `[B, V]`. */
  private prefill(ids: number[]): { working: Working; logits: Float32Array } {
    const rows = ids.map((id) => this.row(id));
    const B = rows.length;
    const C = Math.max(...rows.map((r) => r.cached));
    const pending = rows.map((r) => r.tokens.length - r.cached);
    const P = Math.max(...pending);
    const input = new Int32Array(B * P);
    const positions = new Int32Array(B * P);
    const validKeys: Uint8Array[] = [];
    const columns: number[][] = [];
    rows.forEach((r, b) => {
      for (let t = 0; t < P; t++) {
        input[b * P + t] = t < pending[b] ? r.tokens[r.cached + t] : 0;
        positions[b * P + t] = r.cached + Math.min(t, pending[b] - 1);
      }
      const cols = [...range(0, r.cached), ...range(C, C + pending[b])];
      const valid = new Uint8Array(C + P);
      for (const c of cols) valid[c] = 1;
      validKeys.push(valid);
      columns.push(cols);
    });
    const layout: AttentionLayout = { validKeys, queryColumns: [...range(C, C + P)], positions };
    const last = pending.map((p, b) => b * P + p - 1);
    const out = tidyOut(() => {
      const past = C > 0 ? this.stackPast(rows, C) : undefined;
      const images = pendingImages(rows, P);
      const { hidden, present } = this.model.forward(tf.tensor2d(input, [B, P], 'int32'), layout, past, images);
      const h = tf.gather(tf.reshape(hidden, [B * P, this.model.config.hiddenSize]), tf.tensor1d(last, 'int32')) as tf.Tensor2D;
      return { logits: this.model.head(h), present };
    });
    const logits = readAndDispose(out.logits);
    for (const r of rows) {
      disposeKv(r.kv);
      r.kv = [];
      for (const im of r.images) im.features.dispose();
      r.images = [];
    }
    return { working: { rows: ids, columns, kv: out.present }, logits };
  }

  /** Feeds the last sampled token of every working row; returns next-token logits `[B, V]`. */
  private step(working: Working): Float32Array {
    const B = working.rows.length;
    const S = working.kv[0].k.shape[2];
    const input = new Int32Array(B);
    const positions = new Int32Array(B);
    const validKeys: Uint8Array[] = [];
    working.rows.forEach((id, b) => {
      const r = this.row(id);
      input[b] = r.tokens[r.tokens.length - 1];
      positions[b] = r.tokens.length - 1;
      working.columns[b].push(S);
      const valid = new Uint8Array(S + 1);
      for (const c of working.columns[b]) valid[c] = 1;
      validKeys.push(valid);
    });
    const out = tidyOut(() => {
      const { hidden, present } = this.model.forward(tf.tensor2d(input, [B, 1], 'int32'), { validKeys, queryColumns: [S], positions }, working.kv);
      return { logits: this.model.head(tf.reshape(hidden, [B, this.model.config.hiddenSize]) as tf.Tensor2D), present };
    });
    disposeKv(working.kv);
    working.kv = out.present;
    return readAndDispose(out.logits);
  }

  /**
   * Moves the caches of the rows at `indices` (all tokens but the last sampled one) back into their
   * rows and drops them from the working batch.
   */
  private retire(working: Working, indices: number[]): Working {
    if (indices.length === 0) return working;
    const gone = new Set(indices);
    for (const i of indices) {
      const r = this.row(working.rows[i]);
      const cols = tf.tensor1d(working.columns[i], 'int32');
      r.kv = working.kv.map(({ k, v }) =>
        tf.tidy(() => ({
          k: tf.gather(tf.slice(k, [i, 0, 0, 0], [1, -1, -1, -1]), cols, 2) as tf.Tensor4D,
          v: tf.gather(tf.slice(v, [i, 0, 0, 0], [1, -1, -1, -1]), cols, 2) as tf.Tensor4D,
        })),
      );
      cols.dispose();
      r.cached = working.columns[i].length;
    }
    const keep = working.rows.map((_, i) => i).filter((i) => !gone.has(i));
    let kv: LayerKV[] = [];
    if (keep.length > 0) {
      const index = tf.tensor1d(keep, 'int32');
      kv = working.kv.map(({ k, v }) => ({ k: tf.gather(k, index) as tf.Tensor4D, v: tf.gather(v, index) as tf.Tensor4D }));
      index.dispose();
    }
    disposeKv(working.kv);
    return { rows: keep.map((i) => working.rows[i]), columns: keep.map((i) => working.columns[i]), kv };
  }

  /** Each row's cache right-padded with zeros to `C` columns, stacked: per layer `[B, Hkv, C, D]`. */
  private stackPast(rows: Row[], C: number): LayerKV[] {
    const { numHiddenLayers, numKeyValueHeads, headDim } = this.model.config;
    const padded = (t: tf.Tensor4D | undefined, n: number): tf.Tensor4D => {
      const zeros = tf.zeros([1, numKeyValueHeads, C - n, headDim]) as tf.Tensor4D;
      return !t ? zeros : n === C ? t : tf.concat([t, zeros], 2);
    };
    return Array.from({ length: numHiddenLayers }, (_, l) => ({
      k: tf.concat(rows.map((r) => padded(r.kv[l]?.k, r.cached)), 0),
      v: tf.concat(rows.map((r) => padded(r.kv[l]?.v, r.cached)), 0),
    }));
  }

  private row(id: number): Row {
    const r = this.rows.get(id);
    if (!r) throw this.error(`unknown row ${id} (released, or never added); live rows: [${[...this.rows.keys()]}]`);
    return r;
  }

  private checkIds(ids: readonly number[], where: string): void {
    const V = this.model.config.vocabSize;
    const bad = ids.find((x) => !Number.isInteger(x) || x < 0 || x >= V);
    if (bad !== undefined) throw this.error(`${where}: token id ${bad} is outside the vocabulary [0, ${V})`);
  }

  private error(message: string): TirlError {
    return new TirlError(`Policy session: ${message}`, 'invalid-data');
  }
}

/** The pending image features of a prefill batch as an override of its `[B·P]` input rows. */
function pendingImages(rows: Row[], P: number): EmbeddingOverride | undefined {
  const at: number[] = [];
  const parts: tf.Tensor2D[] = [];
  rows.forEach((r, b) => {
    for (const im of r.images) {
      for (const pos of im.positions) at.push(b * P + pos - r.cached);
      parts.push(im.features);
    }
  });
  if (parts.length === 0) return undefined;
  return { rows: Int32Array.from(at), values: (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor2D };
}

/** `tf.tidy` that keeps the logits and caches returned by `fn`. */
function tidyOut(fn: () => { logits: tf.Tensor2D; present: LayerKV[] }): { logits: tf.Tensor2D; present: LayerKV[] } {
  return tf.tidy(fn as unknown as () => tf.TensorContainerObject) as unknown as { logits: tf.Tensor2D; present: LayerKV[] };
}

function findStopString(text: string, stops: readonly string[]): string | undefined {
  return stops.find((s) => text.includes(s));
}

function* range(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i;
}

function disposeKv(kv: LayerKV[]): void {
  for (const { k, v } of kv) tf.dispose([k, v]);
}

function readAndDispose(t: tf.Tensor): Float32Array {
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}
