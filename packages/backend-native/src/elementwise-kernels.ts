import { backend_util, slice_util, util, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeGemm } from './addon';
import type { WasmBackendLike } from './kernels';

type KernelArgs = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };
type Stock = (name: string) => KernelConfig;

/** Binary kernels the native code runs, with the addon's op codes. */
export const BINARY_OPS: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, SquaredDifference: 4 };

/**
 * Memory-bound wasm kernels computed natively on the wasm heap: `Transpose`, broadcasting
 * `Add`/`Sub`/`Multiply`/`RealDiv`/`SquaredDifference`, `Sum` over a contiguous block of axes and
 * `GatherV2` of rows. Non-float32 inputs and the cases listed per kernel go to the stock wasm kernel.
 */
export function elementwiseKernelConfigs(addon: NativeGemm, stock: Stock): KernelConfig[] {
  const fallback = (name: string, args: KernelArgs) => stock(name).kernelFunc(args as never) as TensorInfo;
  const configs: KernelConfig[] = [];
  const add = (name: string, fn: (args: KernelArgs) => TensorInfo) =>
    configs.push({ ...stock(name), kernelFunc: fn as unknown as KernelFunc });

  add('Transpose', (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { perm } = args.attrs as { perm: number[] };
    if (x.dtype !== 'float32' || x.shape.length === 0 || x.shape.length > 8) return fallback('Transpose', args);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(perm.map((p) => x.shape[p]), 'float32');
    const heap = backend.wasm.HEAPF32;
    addon.transpose(heap, offset(backend, x), offset(backend, out), Int32Array.from(x.shape), Int32Array.from(perm));
    return out;
  });

  for (const [name, code] of Object.entries(BINARY_OPS)) {
    add(name, (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(name, args);
      const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      if (outShape.length > 8) return fallback(name, args);
      const shape = outShape.length === 0 ? [1] : outShape;
      const backend = args.backend as WasmBackendLike;
      const out = backend.makeOutput(outShape, 'float32');
      const heap = backend.wasm.HEAPF32;
      addon.binary(
        code, heap, offset(backend, a), broadcastStrides(a.shape, shape), offset(backend, b), broadcastStrides(b.shape, shape),
        offset(backend, out), Int32Array.from(shape),
      );
      return out;
    });
  }

  add('Sum', (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const contiguous = axes.every((ax, i) => i === 0 || ax === axes[i - 1] + 1);
    if (x.dtype !== 'float32' || axes.length === 0 || !contiguous) return fallback('Sum', args);
    const first = axes[0];
    const last = axes[axes.length - 1];
    const size = (dims: number[]) => dims.reduce((p, q) => p * q, 1);
    const outer = size(x.shape.slice(0, first));
    const reduce = size(x.shape.slice(first, last + 1));
    const inner = size(x.shape.slice(last + 1));
    const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(outShape, 'float32');
    addon.sum(backend.wasm.HEAPF32, offset(backend, x), offset(backend, out), outer, reduce, inner);
    return out;
  });

  // tfjs clones every tensor a gradient saves (engine.clone → Identity), and the stock wasm Identity
  // copies it. Tensors are immutable, so sharing the buffer (as wasm's Reshape does) is enough.
  add('Identity', (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return fallback('Identity', args);
    (args.backend as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });

  // Slice: a strided copy (binary op 5 reads only a), starting at the slice's first element.
  add('Slice', (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
    if (x.dtype !== 'float32' || x.shape.length === 0 || x.shape.length > 8) return fallback('Slice', args);
    const [start, outShape] = slice_util.parseSliceParams(x as never, begin, size);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(outShape, 'float32');
    if (outShape.some((d) => d === 0)) return out;
    const strides = new Int32Array(x.shape.length);
    for (let d = x.shape.length - 1, s = 1; d >= 0; s *= x.shape[d], d--) strides[d] = s;
    const first = start.reduce((acc, b, d) => acc + b * strides[d], 0);
    const base = offset(backend, x) + first;
    addon.binary(5, backend.wasm.HEAPF32, base, strides, base, new Int32Array(strides.length), offset(backend, out), Int32Array.from(outShape));
    return out;
  });

  add('GatherV2', (args) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = args.attrs as { axis: number; batchDims?: number };
    const ax = x.shape.length > 0 ? util.parseAxisParam(axis, x.shape)[0] : -1;
    if (x.dtype !== 'float32' || indices.dtype !== 'int32' || ax < 0 || (batchDims ?? 0) !== 0) return fallback('GatherV2', args);
    // Along axis ax: for each of the `outer` leading blocks, gather rows of `rowSize` from a table of `rows`.
    const outer = x.shape.slice(0, ax).reduce((p, q) => p * q, 1);
    if (outer > 4096) return fallback('GatherV2', args);
    const rows = x.shape[ax];
    const rowSize = x.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
    const count = indices.shape.reduce((p, q) => p * q, 1);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput([...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)], 'float32');
    let ok = true;
    for (let o = 0; o < outer && ok; o++) {
      ok = addon.gather(
        backend.wasm.HEAPF32, offset(backend, x) + o * rows * rowSize, rows, rowSize, backend.wasm.HEAP32, offset(backend, indices), count,
        offset(backend, out) + o * count * rowSize,
      );
    }
    if (ok) return out;
    // An index outside the table: let the stock kernel produce its own result or error.
    (backend as unknown as { disposeData(id: object): void }).disposeData(out.dataId);
    return fallback('GatherV2', args);
  });

  return configs;
}

/** Element offset of a tensor's data in the wasm heap (read after every allocation). */
function offset(backend: WasmBackendLike, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset >>> 2;
}

/** Strides (elements) of `shape` read as `outShape` under numpy broadcasting; 0 on broadcast axes. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const strides = new Int32Array(outShape.length);
  let s = 1;
  for (let i = shape.length - 1, d = outShape.length - 1; d >= 0; i--, d--) {
    const dim = i >= 0 ? shape[i] : 1;
    strides[d] = dim === 1 ? 0 : s;
    s *= dim;
  }
  return strides;
}
