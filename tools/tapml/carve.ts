import * as tf from '@tensorflow/tfjs-core';

/** A tensor as plain data: shape, dtype and values (copied off the device). */
export interface TensorRecord {
  shape: number[];
  dtype: tf.DataType;
  values: number[];
}

/** One kernel call of a real run: its name, inputs, attributes and the reference outputs. */
export interface OpRecord {
  /** Position in the run (calls of every kernel, in order). */
  index: number;
  kernel: string;
  /** Named inputs, or (`Concat`, `AddN`, `Pack`) a list kept under the keys "0", "1", … with `inputList` set. */
  inputs: Record<string, TensorRecord>;
  inputList?: boolean;
  attrs: Record<string, unknown>;
  outputs: TensorRecord[];
}

export interface CarveOptions {
  /** Calls recorded per kernel name at most (later ones are counted, not kept). */
  maxPerKernel: number;
  /** Largest tensor (elements) recorded; a call with a larger input or output is skipped. */
  maxElements: number;
}

type RunKernel = (name: string, inputs: tf.NamedTensorMap, attrs?: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

function record(t: tf.Tensor): TensorRecord {
  return { shape: [...t.shape], dtype: t.dtype, values: Array.from(t.dataSync() as ArrayLike<number>) };
}

/** Attributes as data: numbers, strings, booleans, arrays and plain objects of them; anything else is dropped. */
function plainAttrs(attrs: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!attrs) return {};
  try {
    const json = JSON.stringify(attrs, (_k, v) => (typeof v === 'function' || v instanceof tf.Tensor ? undefined : v));
    const back = JSON.parse(json) as Record<string, unknown>;
    // A tensor-valued attribute cannot be replayed from data: leave the call out.
    return Object.keys(back).length === Object.keys(attrs).length ? back : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Operator-wise test carving: runs `work` on the current backend with the engine's `runKernel` wrapped,
 * and records each kernel call (inputs, attributes, outputs) as a realistic test of that kernel.
 * Forward and backward kernels are both recorded (gradients run kernels through the same engine).
 */
export function carveOps(work: () => void, options: CarveOptions): { records: OpRecord[]; calls: Record<string, number> } {
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const original = engine.runKernel;
  const records: OpRecord[] = [];
  const calls: Record<string, number> = {};
  let index = 0;
  let depth = 0;
  engine.runKernel = function (this: unknown, name, inputs, attrs) {
    const out = original.call(this, name, inputs, attrs);
    // Kernels that call other kernels (rare) are recorded at the outer level only.
    if (depth > 0) return out;
    depth++;
    try {
      const at = index++;
      calls[name] = (calls[name] ?? 0) + 1;
      const outs = Array.isArray(out) ? out : [out];
      const tensors = [...Object.values(inputs), ...outs];
      const kept = records.filter((r) => r.kernel === name).length;
      const attrsData = plainAttrs(attrs);
      if (kept < options.maxPerKernel && attrsData && tensors.every((t) => t.size <= options.maxElements && t.dtype !== 'string')) {
        records.push({ index: at, kernel: name, ...(Array.isArray(inputs) ? { inputList: true } : {}), inputs: Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, record(t)])), attrs: attrsData, outputs: outs.map(record) });
      }
    } finally {
      depth--;
    }
    return out;
  };
  try {
    work();
  } finally {
    engine.runKernel = original;
  }
  return { records, calls };
}
