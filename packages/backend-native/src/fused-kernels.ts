import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeGemm } from './addon';
import type { WasmBackendLike } from './kernels';

/**
 * Names of the fused kernels this package registers for the wasm backend. `@tirl/policy` calls them by
 * these names (`src/kernels/names.ts` there holds the same table) and composes stock ops where a backend
 * has none. Inputs, attrs and outputs of each:
 *
 * | kernel | inputs | attrs | outputs |
 * |---|---|---|---|
 * | `TirlLmHeadLogProbs` | hidden [N,H], weight [V,H], targets int32 [N] | chunk | logp [N], lse [N], entropy [N] |
 * | `TirlLmHeadLogProbsGrad` | hidden, weight, targets, lse, entropy, dLogp [N], dEntropy [N] (optional) | chunk | dHidden [N,H], dWeight [V,H] |
 * | `TirlScatterAddRows` | dy [N,W], ids int32 [N], base [rows,W] (optional) | rows | out [rows,W]: zeros (or base, whose buffer it takes over, written in place) with out[ids[i]] += dy[i] |
 * | `TirlAdamUpdate` | w, g, m, v (same size) | lr, beta1, beta2, epsilon, c1, c2, weightDecay | a [1] placeholder; w, m, v updated in place |
 * | `TirlRmsNorm` | x [..., W], weight [W] | eps | y [..., W], rstd [rows] |
 * | `TirlRmsNormGrad` | x, weight, rstd, dy | | dx, dWeight [W] |
 * | `TirlSwiglu` | gate, up | | silu(gate) * up |
 * | `TirlSwigluGrad` | gate, up, dy | | dGate, dUp |
 * | `TirlRope` | x [N,heads,D], cos [N,D], sin [N,D] | inverse | y [N,heads,D] |
 * | `TirlAttention` | q [B,H,Tq,D] (scaled), k, v [B,Hkv,S,D], keyValid [B,S] (1/0), queryLimit int32 [Tq] | | out [B,H,Tq,D], lse [B,H,Tq] |
 * | `TirlAttentionGrad` | q, k, v, keyValid, queryLimit, out, lse, dOut | | dq, dk, dv |
 *
 * Attention: query t of row b sees key j when keyValid[b, j] = 1 and j <= queryLimit[t]; query head h
 * reads kv head h / (H / Hkv). A query that sees no key gets 0 (and lse = -inf).
 */
export const FUSED_KERNELS = {
  lmHeadLogProbs: 'TirlLmHeadLogProbs',
  lmHeadLogProbsGrad: 'TirlLmHeadLogProbsGrad',
  scatterAddRows: 'TirlScatterAddRows',
  adamUpdate: 'TirlAdamUpdate',
  rmsNorm: 'TirlRmsNorm',
  rmsNormGrad: 'TirlRmsNormGrad',
  swiglu: 'TirlSwiglu',
  swigluGrad: 'TirlSwigluGrad',
  rope: 'TirlRope',
  attention: 'TirlAttention',
  attentionGrad: 'TirlAttentionGrad',
} as const;

type KernelArgs = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function requireFloat(kernel: string, tensors: Record<string, TensorInfo | undefined>): void {
  for (const [name, t] of Object.entries(tensors)) {
    if (t && t.dtype !== 'float32') throw new Error(`${kernel}: input "${name}" must be float32, got ${t.dtype}`);
  }
}

/** The fused kernels, computed natively on the wasm heap (no copies). */
export function fusedKernelConfigs(addon: NativeGemm): KernelConfig[] {
  const configs: KernelConfig[] = [];
  const add = (kernelName: string, fn: (args: KernelArgs, backend: WasmBackendLike, at: (t: TensorInfo) => number) => TensorInfo | TensorInfo[]) =>
    configs.push({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => {
        const backend = args.backend as WasmBackendLike;
        return fn(args, backend, (t) => backend.dataIdMap.get(t.dataId).memoryOffset >>> 2);
      }) as unknown as KernelFunc,
    });
  // Outputs are allocated before the heap views are read: allocation may grow (and detach) the heap.
  const heaps = (backend: WasmBackendLike) => [backend.wasm.HEAPF32, backend.wasm.HEAP32] as const;

  add(FUSED_KERNELS.lmHeadLogProbs, (args, backend, at) => {
    const { hidden, weight, targets } = args.inputs as Record<string, TensorInfo>;
    requireFloat(FUSED_KERNELS.lmHeadLogProbs, { hidden, weight });
    const [n, h] = hidden.shape;
    const v = weight.shape[0];
    const chunk = Number(args.attrs?.chunk ?? 4096);
    const outs = [0, 1, 2].map(() => backend.makeOutput([n], 'float32'));
    const [f, i] = heaps(backend);
    addon.lmHeadForward(f, i, at(hidden), at(weight), at(targets), n, h, v, chunk, at(outs[0]), at(outs[1]), at(outs[2]));
    return outs;
  });

  add(FUSED_KERNELS.lmHeadLogProbsGrad, (args, backend, at) => {
    const { hidden, weight, targets, lse, entropy, dLogp, dEntropy } = args.inputs as Record<string, TensorInfo>;
    requireFloat(FUSED_KERNELS.lmHeadLogProbsGrad, { hidden, weight, lse, entropy, dLogp, dEntropy });
    const [n, h] = hidden.shape;
    const v = weight.shape[0];
    const chunk = Number(args.attrs?.chunk ?? 4096);
    const dHidden = backend.makeOutput([n, h], 'float32');
    const dWeight = backend.makeOutput([v, h], 'float32');
    const [f, i] = heaps(backend);
    addon.lmHeadBackward(
      f, i, at(hidden), at(weight), at(targets), at(lse), at(entropy), at(dLogp), dEntropy ? at(dEntropy) : -1,
      n, h, v, chunk, at(dHidden), at(dWeight),
    );
    return [dHidden, dWeight];
  });

  add(FUSED_KERNELS.scatterAddRows, (args, backend, at) => {
    const { dy, ids, base } = args.inputs as Record<string, TensorInfo | undefined> as Record<string, TensorInfo>;
    requireFloat(FUSED_KERNELS.scatterAddRows, { dy, base });
    const rows = Number(args.attrs?.rows);
    const width = dy.shape[dy.shape.length - 1];
    if (base && (base.shape.length !== 2 || base.shape[0] !== rows || base.shape[1] !== width)) {
      throw new Error(`${FUSED_KERNELS.scatterAddRows}: base must be [${rows}, ${width}], got [${base.shape}]`);
    }
    // With a base, the caller hands its buffer over (it holds the only reference): add into it in place.
    let out: TensorInfo;
    if (base) {
      (backend as unknown as { incRef(id: object): void }).incRef(base.dataId);
      out = { dataId: base.dataId, shape: base.shape, dtype: 'float32' };
    } else {
      out = backend.makeOutput([rows, width], 'float32');
    }
    const [f, i] = heaps(backend);
    addon.scatterAddRows(f, i, at(dy), at(ids), size(ids.shape), rows, width, at(out), Boolean(base));
    return out;
  });

  add(FUSED_KERNELS.adamUpdate, (args, backend, at) => {
    const { w, g, m, v } = args.inputs as Record<string, TensorInfo>;
    requireFloat(FUSED_KERNELS.adamUpdate, { w, g, m, v });
    const a = (args.attrs ?? {}) as Record<string, number>;
    const placeholder = backend.makeOutput([1], 'float32');
    const [f, i] = heaps(backend);
    addon.adamUpdate(f, i, at(w), at(g), at(m), at(v), size(w.shape), a.lr, a.beta1, a.beta2, a.epsilon, a.c1, a.c2, a.weightDecay ?? 0);
    return placeholder;
  });

  add(FUSED_KERNELS.rmsNorm, (args, backend, at) => {
    const { x, weight } = args.inputs as Record<string, TensorInfo>;
    requireFloat(FUSED_KERNELS.rmsNorm, { x, weight });
    const width = x.shape[x.shape.length - 1];
    const rows = size(x.shape) / width;
    const y = backend.makeOutput(x.shape, 'float32');
    const rstd = backend.makeOutput([rows], 'float32');
    const [f, i] = heaps(backend);
    addon.rmsNormForward(f, i, at(x), at(weight), rows, width, Number(args.attrs?.eps), at(y), at(rstd));
    return [y, rstd];
  });

  add(FUSED_KERNELS.rmsNormGrad, (args, backend, at) => {
    const { x, weight, rstd, dy } = args.inputs as Record<string, TensorInfo>;
    requireFloat(FUSED_KERNELS.rmsNormGrad, { x, weight, rstd, dy });
    const width = x.shape[x.shape.length - 1];
    const rows = size(x.shape) / width;
    const dx = backend.makeOutput(x.shape, 'float32');
    const dWeight = backend.makeOutput([width], 'float32');
    const [f, i] = heaps(backend);
    addon.rmsNormBackward(f, i, at(x), at(weight), at(rstd), at(dy), rows, width, at(dx), at(dWeight));
    return [dx, dWeight];
  });

  add(FUSED_KERNELS.swiglu, (args, backend, at) => {
    const { gate, up } = args.inputs as Record<string, TensorInfo>;
    requireFloat(FUSED_KERNELS.swiglu, { gate, up });
    const y = backend.makeOutput(gate.shape, 'float32');
    const [f, i] = heaps(backend);
    addon.swiglu(f, i, at(gate), at(up), size(gate.shape), at(y));
    return y;
  });

  add(FUSED_KERNELS.swigluGrad, (args, backend, at) => {
    const { gate, up, dy } = args.inputs as Record<string, TensorInfo>;
    requireFloat(FUSED_KERNELS.swigluGrad, { gate, up, dy });
    const dGate = backend.makeOutput(gate.shape, 'float32');
    const dUp = backend.makeOutput(gate.shape, 'float32');
    const [f, i] = heaps(backend);
    addon.swigluBackward(f, i, at(gate), at(up), at(dy), size(gate.shape), at(dGate), at(dUp));
    return [dGate, dUp];
  });

  add(FUSED_KERNELS.rope, (args, backend, at) => {
    const { x, cos, sin } = args.inputs as Record<string, TensorInfo>;
    requireFloat(FUSED_KERNELS.rope, { x, cos, sin });
    const [n, heads, d] = x.shape;
    const y = backend.makeOutput(x.shape, 'float32');
    const [f, i] = heaps(backend);
    addon.rope(f, i, at(x), at(cos), at(sin), n, heads, d, Boolean(args.attrs?.inverse), at(y));
    return y;
  });

  const attentionSizes = (q: TensorInfo, k: TensorInfo) => {
    const [b, heads, tq, d] = q.shape;
    const [, kvHeads, s] = k.shape;
    if (heads % kvHeads !== 0) throw new Error(`${FUSED_KERNELS.attention}: ${heads} query heads are not a multiple of ${kvHeads} kv heads`);
    return [b, heads, kvHeads, tq, s, d] as const;
  };

  add(FUSED_KERNELS.attention, (args, backend, at) => {
    const { q, k, v, keyValid, queryLimit } = args.inputs as Record<string, TensorInfo>;
    requireFloat(FUSED_KERNELS.attention, { q, k, v, keyValid });
    const sizes = attentionSizes(q, k);
    const out = backend.makeOutput(q.shape, 'float32');
    const lse = backend.makeOutput(q.shape.slice(0, 3), 'float32');
    const [f, i] = heaps(backend);
    addon.attention(f, i, at(q), at(k), at(v), at(keyValid), at(queryLimit), ...sizes, at(out), at(lse));
    return [out, lse];
  });

  add(FUSED_KERNELS.attentionGrad, (args, backend, at) => {
    const { q, k, v, keyValid, queryLimit, out, lse, dOut } = args.inputs as Record<string, TensorInfo>;
    requireFloat(FUSED_KERNELS.attentionGrad, { q, k, v, keyValid, out, lse, dOut });
    const sizes = attentionSizes(q, k);
    const dq = backend.makeOutput(q.shape, 'float32');
    const dk = backend.makeOutput(k.shape, 'float32');
    const dv = backend.makeOutput(v.shape, 'float32');
    const [f, i] = heaps(backend);
    addon.attentionBackward(f, i, at(q), at(k), at(v), at(keyValid), at(queryLimit), ...sizes, at(out), at(lse), at(dOut), at(dq), at(dk), at(dv));
    return [dq, dk, dv];
  });

  return configs;
}
