import * as tf from '@tensorflow/tfjs-core';
import { formatIssues, Rng, TirlError } from '@tirl/core';
import { z } from 'zod';
import type { ModelConfig } from './config';
import { linear } from './ops';

/** Projections LoRA can adapt, by their Hugging Face module names. */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

/**
 * LoRA options (Hu et al., "LoRA: Low-Rank Adaptation of Large Language Models", arXiv 2106.09685, §4.1:
 * `W + (α / r) · B A`, A Gaussian/uniform, B zero so training starts from the base model). `useRslora`
 * scales by `α / √r` instead (Kalajdzievski, "A Rank Stabilization Scaling Factor for Fine-Tuning with
 * LoRA", arXiv 2312.03732, §3). Defaults follow PEFT's `LoraConfig` except the targets: every attention
 * and MLP projection (QLoRA, arXiv 2305.14314, §4, found all linear layers necessary to match full
 * fine-tuning).
 */
export const loraOptionsSchema = z
  .object({
    r: z.number().int().positive().default(16),
    alpha: z.number().positive().default(32),
    dropout: z.number().min(0).max(1).lt(1).default(0),
    targetModules: z.array(z.enum(LORA_TARGETS)).nonempty().default([...LORA_TARGETS]),
    useRslora: z.boolean().default(false),
  })
  .strict();
export type LoraOptions = z.output<typeof loraOptionsSchema>;
export type LoraOptionsInput = z.input<typeof loraOptionsSchema>;

/** Validates LoRA options; errors name the field (`lora.r: ...`). */
export function parseLoraOptions(raw: unknown, origin = 'lora'): LoraOptions {
  const parsed = loraOptionsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issues = formatIssues(parsed.error.issues, Object.keys(loraOptionsSchema.shape)).replace(/(^|; )/g, `$1${origin}.`);
    throw new TirlError(`Invalid LoRA options: ${issues}`, 'invalid-options');
  }
  return parsed.data;
}

/** One adapted projection: `A [r, in]`, `B [out, r]` (PEFT layout). */
export interface LoraPair {
  a: tf.Variable;
  b: tf.Variable;
}

/**
 * Low-rank adapters on a base model's projections, keyed by module path
 * (`model.layers.0.self_attn.q_proj`). Only these variables are trainable in a LoRA run.
 */
export class LoraAdapter {
  readonly scaling: number;
  readonly pairs = new Map<string, LoraPair>();
  /** Whether `B A` is currently added into the base weights. */
  merged = false;
  private dropoutSeed = 0;

  constructor(
    readonly options: LoraOptions,
    pairs: Map<string, { a: tf.Tensor; b: tf.Tensor }>,
  ) {
    this.scaling = options.useRslora ? options.alpha / Math.sqrt(options.r) : options.alpha / options.r;
    for (const [module, { a, b }] of pairs) this.pairs.set(module, { a: tf.variable(a, true), b: tf.variable(b, true) });
  }

  /**
   * Fresh adapters as PEFT initialises them: A ~ U(-1/√in, 1/√in) (kaiming-uniform with a = √5),
   * B = 0, so the adapted model starts equal to the base.
   */
  static init(config: ModelConfig, options: LoraOptions, shapes: Map<string, number[]>, seed = 0): LoraAdapter {
    const rng = new Rng(seed);
    const pairs = new Map<string, { a: tf.Tensor; b: tf.Tensor }>();
    try {
      for (const module of targetModulePaths(config, options.targetModules)) {
        const [out, inF] = shapes.get(`${module}.weight`)!;
        const bound = 1 / Math.sqrt(inF);
        const a = new Float32Array(options.r * inF);
        for (let i = 0; i < a.length; i++) a[i] = (2 * rng.next() - 1) * bound;
        pairs.set(module, { a: tf.tensor2d(a, [options.r, inF]), b: tf.zeros([out, options.r]) });
      }
      return new LoraAdapter(options, pairs);
    } finally {
      for (const { a, b } of pairs.values()) tf.dispose([a, b]);
    }
  }

  /** `scaling · B (A x)` for `x [N, in]` → `[N, out]`; dropout on x while training. */
  delta(module: string, x: tf.Tensor2D, training: boolean): tf.Tensor2D | undefined {
    const pair = this.pairs.get(module);
    if (!pair) return undefined;
    const input = training && this.options.dropout > 0 ? (tf.dropout(x, this.options.dropout, undefined, this.dropoutSeed++) as tf.Tensor2D) : x;
    return tf.mul(linear(linear(input, pair.a as tf.Tensor2D), pair.b as tf.Tensor2D), this.scaling) as tf.Tensor2D;
  }

  /** `scaling · B A` for one module, `[out, in]`. */
  weightDelta(module: string): tf.Tensor2D {
    const pair = this.pairs.get(module)!;
    return tf.tidy(() => tf.mul(tf.matMul(pair.b, pair.a), this.scaling) as tf.Tensor2D);
  }

  /** The trainable variables under their PEFT names (`base_model.model.<module>.lora_A.weight`). */
  namedWeights(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [module, { a, b }] of this.pairs) {
      out.set(pefTensorName(module, 'A'), a);
      out.set(pefTensorName(module, 'B'), b);
    }
    return out;
  }

  parameterCount(): number {
    let n = 0;
    for (const { a, b } of this.pairs.values()) n += a.size + b.size;
    return n;
  }

  dispose(): void {
    for (const { a, b } of this.pairs.values()) tf.dispose([a, b]);
    this.pairs.clear();
  }
}

/** `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`: PEFT's saved name. */
export function pefTensorName(module: string, factor: 'A' | 'B'): string {
  return `base_model.model.${module}.lora_${factor}.weight`;
}

const MLP_TARGETS = new Set<LoraTarget>(['gate_proj', 'up_proj', 'down_proj']);

/** Module paths of every targeted projection, layer by layer. */
export function targetModulePaths(config: ModelConfig, targets: readonly LoraTarget[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    for (const t of LORA_TARGETS) {
      if (!targets.includes(t)) continue;
      out.push(`model.layers.${i}.${MLP_TARGETS.has(t) ? 'mlp' : 'self_attn'}.${t}`);
    }
  }
  return out;
}
