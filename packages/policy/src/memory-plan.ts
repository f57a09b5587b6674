import { TirlError } from '@tirl/core';
import type { ModelConfig } from './config';
import type { VlmConfig } from './vision/config';
import { visionShapes } from './vision/config';
import { targetModulePaths, type LoraOptions } from './lora';
import { expectedShapes } from './weights';
import { FUSED_KERNELS, hasKernel } from './kernels/names';

/** The current backend runs the native fused kernels (the plan's `fusedKernels`). */
export function hasFusedKernels(): boolean {
  return hasKernel(FUSED_KERNELS.lmHeadLogProbs);
}

/** Share added to a wasm plan for the allocator's high-water mark above live tensors (see `memoryPlan`). */
export const WASM_FRAGMENTATION_RESERVE = 0.25;

/**
 * Temporaries the size of one variable that the trainer's AdamW update holds at once (it updates one
 * variable at a time, smallest first, disposing each gradient once applied).
 */
export const ADAMW_TRANSIENT_COPIES = 3;

/** The wasm backend's heap: its module declares a maximum of 65536 pages of 64 KiB. */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;
const F32 = 4;

export interface MemoryPlanInput {
  config: ModelConfig;
  lora?: Pick<LoraOptions, 'r' | 'targetModules'>;
  /** Rows per forward/backward pass (the trainer's micro-batch). */
  microBatchRows: number;
  /**
   * Rows per optimizer update (a mini-batch). When it exceeds `microBatchRows` the gradients of several
   * micro-batches accumulate, and a running sum lives beside each micro-batch's own; unknown counts as
   * accumulating.
   */
  updateRows?: number;
  /** Tokens per training row (prompt + completion). */
  sequenceLength: number;
  /** Rows decoded at once during rollouts, and their context length. */
  rolloutRows: number;
  rolloutContext: number;
  /** Recompute each layer in the backward pass instead of keeping its activations. */
  gradientCheckpointing?: boolean;
  /** A frozen reference is needed (KL); free under LoRA (adapters off), a full copy otherwise. */
  reference?: boolean;
  /** Entropy is computed in the loss (one more `[N, V]`). */
  entropy?: boolean;
  /**
   * The backend runs the native fused kernels (`wasm-native`): the LM head is chunked (log-probs without
   * `[N, V]` buffers) and matmuls read transposed weights in place (no transposed copies).
   */
  fusedKernels?: boolean;
  /** Bytes the backend can hold. */
  limitBytes: number;
  backend: string;
  /**
   * A vision-language model: its frozen tower and the image tokens of each row, which lengthen every
   * training row and rollout context (`imageTokensPerRow`: every token the images add, markers included;
   * `imageFramesPerRow`: frames the tower encodes per row).
   */
  vision?: { config: VlmConfig; imageTokensPerRow: number; imageFramesPerRow: number };
}

export interface MemoryPlanItem {
  name: string;
  bytes: number;
  detail: string;
}

export interface MemoryPlan {
  items: MemoryPlanItem[];
  /** Peak: everything resident plus the larger of the training pass and the rollout pass. */
  peakBytes: number;
  limitBytes: number;
  backend: string;
  fits: boolean;
  parameters: number;
  trainableParameters: number;
}

/**
 * An upper estimate of the backend memory a run needs, before any work: weights, adapters, gradients
 * and AdamW moments (two per trainable value), activations kept for the backward pass of one micro-batch
 * (or one layer's plus every layer's input under gradient checkpointing), the `[N, V]` head buffers,
 * and the KV cache of a rollout batch. All float32.
 */
export function memoryPlan(p: MemoryPlanInput): MemoryPlan {
  const c = p.config;
  const shapes = expectedShapes(c);
  let parameters = 0;
  for (const s of shapes.values()) parameters += s.reduce((a, b) => a * b, 1);
  let adapterParams = 0;
  if (p.lora) {
    for (const module of targetModulePaths(c, p.lora.targetModules)) {
      const [out, inF] = shapes.get(`${module}.weight`)!;
      adapterParams += p.lora.r * (out + inF);
    }
  }
  const trainable = p.lora ? adapterParams : parameters;
  const imageTokens = p.vision?.imageTokensPerRow ?? 0;
  const T = p.sequenceLength + imageTokens;
  const N = p.microBatchRows * T;
  const rolloutContext = p.rolloutContext + imageTokens;
  const H = c.hiddenSize;
  const q = c.numAttentionHeads * c.headDim;
  const kv = c.numKeyValueHeads * c.headDim;
  const I = c.intermediateSize;
  // Saved per token and layer: norms (3H), residuals (2H), q/k/v before and after rotary and the head
  // transposes (3q + 4kv), the attention output (2q), scores + bias + softmax (3 · heads · T), and the
  // MLP's gate, up, sigmoid, silu and product (5I); LoRA adds r per adapted projection (small, ignored).
  const perTokenLayer = 5 * H + 5 * q + 4 * kv + 3 * c.numAttentionHeads * T + 5 * I;
  const layers = c.numHiddenLayers;
  const activationFloats = p.gradientCheckpointing ? N * (layers * H + perTokenLayer) : N * layers * perTokenLayer;
  // logits, log-softmax, the gathered one-hot and its gradient (+ exp for entropy); a trainable
  // embedding adds its one-hot gradient.
  const V = c.vocabSize;
  const headCopies = 4 + (p.entropy ? 1 : 0) + (trainable === parameters ? 1 : 0);
  // Fused: dHidden [N, H] and the per-row outputs; the kernel writes the head's [V, H] gradient even for a
  // frozen head (LoRA), where it is not among the trainable gradients.
  const headFloats = p.fusedKernels ? N * H + 3 * N + (p.lora ? V * H : 0) : N * V * headCopies;
  // The old policy's and the reference's log-probs of every rollout row at once, without a gradient: one
  // layer's intermediates at a time (freed layer by layer), every layer's keys/values, and the head. The
  // stock head runs its vocabulary chunks in one tidy: about seven [N, V] buffers and two [V, H] copies of
  // the weight (measured 889 MiB for 512 tokens × 49,152 on wasm).
  const R = p.rolloutRows * T;
  const noGradFloats = R * (perTokenLayer + 2 * H + 2 * layers * kv) + (p.fusedKernels ? 3 * R : 7 * R * V + 2 * V * H);
  const kvCache = 2 * layers * kv * p.rolloutRows * rolloutContext;
  // decode: the cache twice (old and grown while a step runs) + one step's logits and attention
  const rolloutFloats = 2 * kvCache + p.rolloutRows * (c.vocabSize + c.numAttentionHeads * rolloutContext * 3 + 8 * Math.max(H, I));
  // The frozen tower: its weights, and one micro-batch of frames through it (every layer's
  // intermediates live until the features are out: LayerNorms, q/k/v/out, residuals (8E), the MLP (3I),
  // scores and softmax (3 · heads · patches)).
  let visionParams = 0;
  let visionPassFloats = 0;
  if (p.vision) {
    for (const s of visionShapes(p.vision.config).values()) visionParams += s.reduce((a, b) => a * b, 1);
    const v = p.vision.config.vision;
    const patches = (v.imageSize / v.patchSize) ** 2;
    const frames = p.microBatchRows * p.vision.imageFramesPerRow;
    visionPassFloats = frames * patches * (v.numHiddenLayers * (8 * v.hiddenSize + 3 * v.intermediateSize + 3 * v.numAttentionHeads * patches) + 4 * v.hiddenSize);
  }

  const accumulating = p.updateRows === undefined || p.updateRows > p.microBatchRows;
  const gradientSets = accumulating ? 2 : 1;
  // The AdamW update, smallest variable first: at variable k, the gradients not yet applied (k's and every
  // larger one's) plus its temporaries; clipping first replaces one gradient at a time (one more copy).
  const trainableSizes = (p.lora ? loraSizes(c, p.lora) : [...shapes.values()].map((s) => s.reduce((a, b) => a * b, 1))).sort((a, b) => a - b);
  let pending = trainable;
  let updateFloats = trainable + (trainableSizes[trainableSizes.length - 1] ?? 0);
  for (const size of trainableSizes) {
    updateFloats = Math.max(updateFloats, pending + ADAMW_TRANSIENT_COPIES * size);
    pending -= size;
  }

  const items: MemoryPlanItem[] = [
    { name: 'parameters', bytes: parameters * F32, detail: `${fmtCount(parameters)} float32 (${c.tieWordEmbeddings ? 'tied head' : 'untied head'})` },
    { name: 'adapters', bytes: adapterParams * F32, detail: p.lora ? `LoRA r=${p.lora.r} on ${p.lora.targetModules.join(',')}: ${fmtCount(adapterParams)}` : 'none (full fine-tuning)' },
    {
      name: 'optimizer state',
      bytes: 2 * trainable * F32,
      detail: 'AdamW first and second moments (each made at its variable\'s first update; all held from the second step)',
    },
    {
      name: 'reference model',
      bytes: p.reference && !p.lora ? parameters * F32 : 0,
      detail: !p.reference ? 'not needed' : p.lora ? 'the base with adapters off (no copy)' : 'frozen full copy (shares the weights until the first update)',
    },
    // `linear` multiplies by a transposed copy of the weight; the largest (the LM head) is alive at once.
    {
      name: 'transposed weight (transient)',
      bytes: p.fusedKernels ? 0 : c.vocabSize * H * F32,
      detail: p.fusedKernels ? 'none: the native GEMM reads weights transposed in place' : `[${H}, ${c.vocabSize}] copy of the LM head during its product`,
    },
    {
      name: 'gradients (train)',
      bytes: gradientSets * trainable * F32,
      detail: accumulating
        ? `${fmtCount(trainable)} trainable values × 2: the accumulated sum + one micro-batch's, while they add`
        : `${fmtCount(trainable)} trainable values: the backward pass's own, which the update takes (one micro-batch per update)`,
    },
    {
      name: 'activations (train)',
      bytes: activationFloats * F32,
      detail: `${p.microBatchRows} rows × ${T} tokens, ${layers} layers${p.gradientCheckpointing ? ', gradient checkpointing' : ''}`,
    },
    {
      name: 'LM head buffers (train)',
      bytes: headFloats * F32,
      detail: p.fusedKernels ? `fused, chunked: [${N}, ${H}]${p.lora ? ` + the frozen head's [${V}, ${H}] gradient` : ''}` : `${headCopies} × [${N}, ${V}]`,
    },
    {
      name: 'log-probs pass (no gradient)',
      bytes: noGradFloats * F32,
      detail: `old and reference log-probs of ${p.rolloutRows} rows × ${T} tokens: one layer at a time, all keys/values, ${p.fusedKernels ? 'the fused head' : `7 × [${R}, ${V}] + 2 × [${V}, ${H}] in the head`}`,
    },
    {
      name: 'optimizer update',
      bytes: updateFloats * F32,
      detail: `gradients not yet applied + ${ADAMW_TRANSIENT_COPIES} temporaries of the variable being updated (one at a time, smallest first; largest ${fmtCount(trainableSizes[trainableSizes.length - 1] ?? 0)})`,
    },
    { name: 'KV cache + decode (rollout)', bytes: rolloutFloats * F32, detail: `${p.rolloutRows} rows × ${p.rolloutContext} tokens` },
  ];
  if (p.vision) {
    item(items, 'activations (train)').detail += `, incl. ${imageTokens} image tokens per row`;
    item(items, 'KV cache + decode (rollout)').detail += ` (incl. ${imageTokens} image tokens)`;
    items.push(
      { name: 'vision tower (frozen)', bytes: visionParams * F32, detail: `${fmtCount(visionParams)} float32, no gradients or optimizer state` },
      { name: 'vision encoder pass', bytes: visionPassFloats * F32, detail: `${p.microBatchRows * p.vision.imageFramesPerRow} frames of ${p.vision.config.vision.imageSize}² per micro-batch` },
    );
  }
  const sum = (...names: string[]) => names.reduce((a, n) => a + (items.find((i) => i.name === n)?.bytes ?? 0), 0);
  // Held throughout, then the largest phase of a step: the rollout, the no-gradient log-probs, the
  // backward pass, the optimizer update.
  const resident = sum('parameters', 'adapters', 'optimizer state', 'reference model', 'transposed weight (transient)', 'vision tower (frozen)');
  const train = sum('gradients (train)', 'activations (train)', 'LM head buffers (train)', 'vision encoder pass');
  const noGrad = sum('log-probs pass (no gradient)', 'vision encoder pass');
  let peakBytes = resident + Math.max(train, sum('optimizer update'), noGrad, sum('KV cache + decode (rollout)'));
  if (p.backend.startsWith('wasm')) {
    // The wasm heap never shrinks and fragments under tensors of changing sizes. Measured on 2 CPU cores:
    // Qwen2.5-0.5B + LoRA r16 peaked at 1.10× the items above (2.83 → 3.12 GiB) and ran; SmolLM2-135M full
    // fine-tuning needed over 1.23× (3.24 GiB planned, out of the 4 GiB heap in its second step).
    const reserve = Math.round(WASM_FRAGMENTATION_RESERVE * peakBytes);
    items.push({ name: 'wasm allocator reserve', bytes: reserve, detail: `${WASM_FRAGMENTATION_RESERVE * 100}% of the above: the heap never shrinks and fragments (measured)` });
    peakBytes += reserve;
  }
  return { items, peakBytes, limitBytes: p.limitBytes, backend: p.backend, fits: peakBytes <= p.limitBytes, parameters, trainableParameters: trainable };
}

/** The plan as printable lines. */
export function formatMemoryPlan(plan: MemoryPlan): string {
  const lines = plan.items.map((i) => `  ${i.name.padEnd(28)} ${fmtBytes(i.bytes).padStart(10)}  ${i.detail}`);
  lines.push(`  ${'peak (estimate)'.padEnd(28)} ${fmtBytes(plan.peakBytes).padStart(10)}  limit ${fmtBytes(plan.limitBytes)} (${plan.backend})${plan.fits ? '' : '  — DOES NOT FIT'}`);
  return `memory plan:\n${lines.join('\n')}`;
}

/** Throws, naming the fixes, when the plan exceeds the backend's limit. */
export function assertFits(plan: MemoryPlan): void {
  if (plan.fits) return;
  const fixes = [
    !item(plan.items, 'adapters').bytes ? 'train LoRA adapters (--lora.r 16)' : '',
    'lower settings.microBatchRows or the sequence length (settings.maxNewTokens, shorter prompts)',
    'turn on gradient checkpointing (--gradient-checkpointing)',
    'lower the rollout batch (settings.groupSize × settings.promptsPerStep)',
    plan.backend === 'wasm' ? 'or use a backend without the 4 GiB wasm heap (tfjs-node)' : '',
  ].filter(Boolean);
  throw new TirlError(
    `The run needs about ${fmtBytes(plan.peakBytes)} but the ${plan.backend} backend holds ${fmtBytes(plan.limitBytes)}. ` +
      `Largest parts: ${[...plan.items].sort((a, b) => b.bytes - a.bytes).slice(0, 3).map((i) => `${i.name} ${fmtBytes(i.bytes)}`).join(', ')}. ` +
      `To fit: ${fixes.join('; ')}.\n${formatMemoryPlan(plan)}`,
    'invalid-options',
  );
}

/**
 * A wasm heap that ran out shows up as a bare "memory access out of bounds" (or an abort) from inside a kernel.
 * Returns the error to show instead, naming what happened and the fixes, or undefined for any other error.
 */
export function outOfMemoryError(error: unknown, backend: string, where: string): TirlError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!/memory access out of bounds|Aborted\(OOM\)|Cannot enlarge memory|Out of memory|Array buffer allocation failed/i.test(message)) return undefined;
  const fixes = [
    'train LoRA adapters (--lora.r 16) instead of every weight',
    'turn on gradient checkpointing (--gradient-checkpointing)',
    'lower settings.microBatchRows, the sequence length, or the rollout batch (groupSize × promptsPerStep)',
    backend.startsWith('wasm') ? 'or use a backend without the 4 GiB wasm heap (tfjs-node)' : '',
  ].filter(Boolean);
  return new TirlError(
    `The ${backend} backend ran out of memory ${where} (${message.split('\n')[0]}). The memory plan printed at the start ` +
      `is an estimate and the wasm heap never shrinks, so a run near its limit can still exhaust it. To fit: ${fixes.join('; ')}.`,
    'backend',
  );
}

function item(items: MemoryPlanItem[], name: string): MemoryPlanItem {
  return items.find((i) => i.name === name)!;
}

/** Sizes of the LoRA matrices: A `[r, in]` and B `[out, r]` per adapted projection. */
function loraSizes(c: ModelConfig, lora: NonNullable<MemoryPlanInput['lora']>): number[] {
  const shapes = expectedShapes(c);
  return targetModulePaths(c, lora.targetModules).flatMap((module) => {
    const [out, inF] = shapes.get(`${module}.weight`)!;
    return [lora.r * inF, out * lora.r];
  });
}

export function fmtBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}

function fmtCount(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}
