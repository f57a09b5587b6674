import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../ops';
import type { VlmConfig } from './config';

/**
 * The SigLIP vision tower and pixel-shuffle connector of Idefics3 / SmolVLM (transformers'
 * `Idefics3VisionTransformer` + `Idefics3Connector`): a `patch × patch` convolution, learned position
 * embeddings, pre-norm encoder layers (LayerNorm, bidirectional attention, GELU-tanh MLP), a final
 * LayerNorm, then each `s × s` block of patch features concatenated (pixel shuffle) and projected to the
 * decoder's width. Frames are whole `image_size` squares (the processor's tiles), so every patch is real
 * and position ids are `0 … N-1`.
 */
export class VisionTower {
  constructor(
    readonly config: VlmConfig,
    /** Variables under their Hugging Face names (owned by the model). */
    private readonly weights: Map<string, tf.Variable>,
  ) {}

  /** Image features for `frames` frames of `[3, S, S]` float pixels → `[frames · imageSeqLen, textHidden]`. */
  encode(pixelValues: Float32Array, frames: number): tf.Tensor2D {
    const v = this.config.vision;
    const S = v.imageSize;
    const P = v.patchSize;
    const C = v.numChannels;
    if (pixelValues.length !== frames * C * S * S) {
      throw new Error(`VisionTower.encode: ${pixelValues.length} pixel values for ${frames} frames, expected frames·${C}·${S}·${S} = ${frames * C * S * S} (frames must be ${S}×${S}, the vision image_size)`);
    }
    const side = S / P;
    const N = side * side;
    const E = v.hiddenSize;
    return tf.tidy(() => {
      const patches = tf.tensor2d(extractPatches(pixelValues, frames, C, S, P), [frames * N, C * P * P]);
      const pre = 'model.vision_model.';
      const convW = tf.reshape(this.w(`${pre}embeddings.patch_embedding.weight`), [E, C * P * P]) as tf.Tensor2D;
      let x = linear(patches, convW, this.w(`${pre}embeddings.patch_embedding.bias`) as tf.Tensor1D);
      const pos = this.w(`${pre}embeddings.position_embedding.weight`) as tf.Tensor2D;
      x = tf.reshape(tf.add(tf.reshape(x, [frames, N, E]), pos), [frames * N, E]) as tf.Tensor2D;
      for (let i = 0; i < v.numHiddenLayers; i++) x = this.layer(x, i, frames, N);
      x = this.layerNorm(x, `${pre}post_layernorm`);
      const shuffled = pixelShuffle(tf.reshape(x, [frames, N, E]) as tf.Tensor3D, this.config.scaleFactor);
      const [, M, D] = shuffled.shape;
      return linear(tf.reshape(shuffled, [frames * M, D]) as tf.Tensor2D, this.w('model.connector.modality_projection.proj.weight') as tf.Tensor2D);
    });
  }

  private layer(x: tf.Tensor2D, i: number, F: number, N: number): tf.Tensor2D {
    const v = this.config.vision;
    const E = v.hiddenSize;
    const Hh = v.numAttentionHeads;
    const D = E / Hh;
    const p = `model.vision_model.encoder.layers.${i}.`;
    const lin = (t: tf.Tensor2D, n: string) => linear(t, this.w(`${p}${n}.weight`) as tf.Tensor2D, this.w(`${p}${n}.bias`) as tf.Tensor1D);
    const heads = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [F, N, Hh, D]), [0, 2, 1, 3]);
    const h = this.layerNorm(x, `${p}layer_norm1`);
    const q = heads(lin(h, 'self_attn.q_proj'));
    const k = heads(lin(h, 'self_attn.k_proj'));
    const val = heads(lin(h, 'self_attn.v_proj'));
    const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D));
    const att = tf.matMul(tf.softmax(scores, -1), val);
    const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [F * N, E]) as tf.Tensor2D;
    const mid = tf.add(x, lin(merged, 'self_attn.out_proj')) as tf.Tensor2D;
    const h2 = this.layerNorm(mid, `${p}layer_norm2`);
    return tf.add(mid, lin(geluTanh(lin(h2, 'mlp.fc1')), 'mlp.fc2')) as tf.Tensor2D;
  }

  private layerNorm(x: tf.Tensor2D, name: string): tf.Tensor2D {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.config.vision.layerNormEps)));
    return tf.add(tf.mul(normed, this.w(`${name}.weight`)), this.w(`${name}.bias`)) as tf.Tensor2D;
  }

  private w(name: string): tf.Variable {
    const v = this.weights.get(name);
    if (!v) throw new Error(`VisionTower: no weight "${name}"`);
    return v;
  }
}

/** `gelu_pytorch_tanh`: `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`. */
export function geluTanh<T extends tf.Tensor>(x: T): T {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner))) as T;
}

/**
 * Idefics3's `pixel_shuffle`: `[F, h·w, E]` → `[F, h·w / s², E·s²]`, each output token the concatenation
 * of an `s × s` block of patches, in transformers' exact view / permute order.
 */
export function pixelShuffle(x: tf.Tensor3D, s: number): tf.Tensor3D {
  const [F, seq, E] = x.shape;
  const side = Math.round(Math.sqrt(seq));
  let y: tf.Tensor = tf.reshape(x, [F, side, side / s, E * s]);
  y = tf.transpose(y, [0, 2, 1, 3]);
  y = tf.reshape(y, [F, side / s, side / s, E * s * s]);
  y = tf.transpose(y, [0, 2, 1, 3]);
  return tf.reshape(y, [F, seq / (s * s), E * s * s]) as tf.Tensor3D;
}

/** `[F, C, S, S]` pixels → rows of flattened `(c, kh, kw)` patches, patches row-major over the grid (a stride-P convolution's input). */
function extractPatches(px: Float32Array, F: number, C: number, S: number, P: number): Float32Array {
  const side = S / P;
  const out = new Float32Array(px.length);
  let o = 0;
  for (let f = 0; f < F; f++) {
    for (let gy = 0; gy < side; gy++) {
      for (let gx = 0; gx < side; gx++) {
        for (let c = 0; c < C; c++) {
          for (let ky = 0; ky < P; ky++) {
            const base = ((f * C + c) * S + gy * P + ky) * S + gx * P;
            for (let kx = 0; kx < P; kx++) out[o++] = px[base + kx];
          }
        }
      }
    }
  }
  return out;
}
