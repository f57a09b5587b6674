import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { ACTIVATIONS, type NativeGemm } from './addon';
import { planMatMul } from './plan';

/** The parts of tfjs-backend-wasm's `BackendWasm` the kernels touch. */
export interface WasmBackendLike {
  wasm: { HEAPF32: Float32Array; HEAP32: Int32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

type KernelArgs = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };

const NO_BIAS = 0;
const SCALAR_BIAS = 1;
const COLUMN_BIAS = 2;

/**
 * `BatchMatMul` and `_FusedMatMul` for the wasm backend, computed by the native GEMM straight
 * on the wasm heap. Anything the native path does not cover (non-float32, prelu, a bias that is
 * neither scalar nor per-column) goes to the stock wasm kernel.
 */
export function nativeKernelConfigs(addon: NativeGemm, stock: { batchMatMul: KernelConfig; fusedMatMul: KernelConfig }): KernelConfig[] {
  const batchMatMul = (args: KernelArgs): TensorInfo => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock.batchMatMul.kernelFunc(args as never) as TensorInfo;
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    return runGemm(addon, args.backend as WasmBackendLike, a, b, transposeA, transposeB, undefined, 0, 0);
  };
  const fusedMatMul = (args: KernelArgs): TensorInfo => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined> & { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as {
      transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number;
    };
    const code = ACTIVATIONS[activation ?? 'linear'];
    const biasOk = bias == null || (bias.dtype === 'float32' && biasMode(bias, b, transposeB) !== undefined);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || code === undefined || preluActivationWeights != null || !biasOk) {
      return stock.fusedMatMul.kernelFunc(args as never) as TensorInfo;
    }
    return runGemm(addon, args.backend as WasmBackendLike, a, b, transposeA, transposeB, bias, code, leakyreluAlpha ?? 0);
  };
  return [
    { ...stock.batchMatMul, kernelFunc: batchMatMul as unknown as KernelFunc },
    { ...stock.fusedMatMul, kernelFunc: fusedMatMul as unknown as KernelFunc },
  ];
}

function runGemm(
  addon: NativeGemm, backend: WasmBackendLike, a: TensorInfo, b: TensorInfo,
  transposeA: boolean, transposeB: boolean, bias: TensorInfo | undefined, activation: number, alpha: number,
): TensorInfo {
  const plan = planMatMul(a.shape, b.shape, transposeA, transposeB);
  const out = backend.makeOutput(plan.outShape, 'float32');
  // Read offsets and the heap only now: allocating the output may grow (and detach) the heap.
  const heap = backend.wasm.HEAPF32;
  const at = (t: TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset >>> 2;
  const mode = bias ? (biasMode(bias, b, transposeB) as number) : NO_BIAS;
  addon.gemm(
    heap, at(a), plan.aOffsets, heap, at(b), plan.bOffsets, heap, at(out),
    plan.batch, plan.m, plan.n, plan.k, transposeA, transposeB,
    bias ? heap : null, bias ? at(bias) : 0, mode, activation, alpha,
  );
  return out;
}

/** Scalar (one element) or per-column (`[n]`, `[1, n]`, ...) bias; anything else is not native. */
function biasMode(bias: TensorInfo, b: TensorInfo, transposeB: boolean): number | undefined {
  const size = bias.shape.reduce((x, y) => x * y, 1);
  if (size === 1) return SCALAR_BIAS;
  const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  const last = bias.shape[bias.shape.length - 1];
  return last === n && size === n ? COLUMN_BIAS : undefined;
}
