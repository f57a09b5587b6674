import * as tf from '@tensorflow/tfjs-core';
import type { OpRecord, TensorRecord } from './carve';

export interface Tolerance {
  /** |target − reference| ≤ atol + rtol·|reference| for every element. */
  rtol: number;
  atol: number;
}

export interface OpVerdict {
  index: number;
  kernel: string;
  status: 'match' | 'diverged' | 'missing' | 'error';
  /** Largest |target − reference| over the outputs. */
  maxAbsError?: number;
  message?: string;
}

export interface ReplayReport {
  backend: string;
  ops: number;
  matched: number;
  diverged: number;
  missing: number;
  errors: number;
  /** The first diverging (or failing) op in run order: where a compound error starts. */
  first?: OpVerdict;
  verdicts: OpVerdict[];
}

function tensorOf(r: TensorRecord): tf.Tensor {
  return tf.tensor(r.values, r.shape, r.dtype);
}

function compare(out: tf.Tensor, ref: TensorRecord, tol: Tolerance): { ok: boolean; maxAbs: number; message?: string } {
  if (out.shape.join(',') !== ref.shape.join(',')) return { ok: false, maxAbs: Infinity, message: `shape [${out.shape}] vs reference [${ref.shape}]` };
  const got = out.dataSync() as ArrayLike<number>;
  let maxAbs = 0;
  let ok = true;
  for (let i = 0; i < ref.values.length; i++) {
    const a = Number(got[i]);
    const b = ref.values[i];
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    const d = Math.abs(a - b);
    if (!(d <= tol.atol + tol.rtol * Math.abs(b))) ok = false;
    if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
  }
  return { ok, maxAbs };
}

/**
 * Replays carved kernel calls on the current backend, each from the reference inputs, and compares its
 * outputs with the reference outputs. Because every op starts from reference inputs, an error does not
 * compound: the first diverging op in run order is where a backend starts to differ.
 */
export function replayOps(records: readonly OpRecord[], backend: string, tol: Tolerance): ReplayReport {
  const verdicts: OpVerdict[] = [];
  for (const r of records) {
    if (!tf.getKernel(r.kernel, tf.getBackend())) {
      verdicts.push({ index: r.index, kernel: r.kernel, status: 'missing', message: `no ${r.kernel} kernel on ${backend}` });
      continue;
    }
    tf.tidy(() => {
      try {
        const named = Object.entries(r.inputs).map(([k, v]) => [k, tensorOf(v)] as const);
        const inputs = r.inputList ? named.map(([, t]) => t) : Object.fromEntries(named);
        const out = tf.engine().runKernel(r.kernel, inputs as never, r.attrs as never) as tf.Tensor | tf.Tensor[];
        const outs = Array.isArray(out) ? out : [out];
        let maxAbs = 0;
        let ok = outs.length === r.outputs.length;
        let message = ok ? undefined : `${outs.length} outputs vs reference ${r.outputs.length}`;
        outs.forEach((o, i) => {
          if (!r.outputs[i]) return;
          const c = compare(o, r.outputs[i], tol);
          maxAbs = Math.max(maxAbs, c.maxAbs);
          if (!c.ok) ok = false;
          message ??= c.message;
        });
        verdicts.push({ index: r.index, kernel: r.kernel, status: ok ? 'match' : 'diverged', maxAbsError: maxAbs, ...(message ? { message } : {}) });
      } catch (e) {
        verdicts.push({ index: r.index, kernel: r.kernel, status: 'error', message: e instanceof Error ? e.message.split('\n')[0] : String(e) });
      }
    });
  }
  const count = (s: OpVerdict['status']) => verdicts.filter((v) => v.status === s).length;
  const first = verdicts.find((v) => v.status === 'diverged' || v.status === 'error');
  return { backend, ops: verdicts.length, matched: count('match'), diverged: count('diverged'), missing: count('missing'), errors: count('error'), ...(first ? { first } : {}), verdicts };
}
