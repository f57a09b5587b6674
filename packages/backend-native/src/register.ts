import type * as tfc from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { ADDON_PATH, loadAddon } from './addon';
import { applyConfig, configFromEnv, type NativeConfig } from './config';
import { BINARY_OPS, elementwiseKernelConfigs } from './elementwise-kernels';
import { FUSED_KERNELS, fusedKernelConfigs } from './fused-kernels';
import { nativeKernelConfigs } from './kernels';

export type RegisterResult = { ok: true; tfBackend: 'wasm'; detail?: string } | { ok: false; reason: string };

export interface RegisterOptions extends NativeConfig {
  /** Path of the compiled addon (tests point it elsewhere to exercise the fallback). */
  addonPath?: string;
  /**
   * `all` (default) also replaces Transpose, broadcast binary ops, Sum and GatherV2 and adds the fused kernels
   * (`FUSED_KERNELS`); `gemm` only the matmuls.
   */
  kernels?: 'gemm' | 'all';
}

type Tf = Pick<typeof tfc, 'getKernel' | 'registerKernel' | 'unregisterKernel'>;

const GEMM_KERNELS = ['BatchMatMul', '_FusedMatMul'];
const ELEMENTWISE_KERNELS = ['Transpose', ...Object.keys(BINARY_OPS), 'Sum', 'GatherV2', 'Identity', 'Slice'];
const ALL_KERNELS = [...GEMM_KERNELS, ...ELEMENTWISE_KERNELS];
const NATIVE = Symbol.for('tirl.backend-native');
const stockKernels = new Map<string, KernelConfig>();

/**
 * Replaces the wasm backend's `BatchMatMul` and `_FusedMatMul` with native GEMM kernels and (unless
 * `kernels: 'gemm'`) `Transpose`, `Add`/`Sub`/`Multiply`/`RealDiv`/`SquaredDifference`, `Sum` and
 * `GatherV2` with native memory-bound kernels.
 * Options override `TIRL_NATIVE_THREADS` / `TIRL_NATIVE_BLAS`. Never throws: when the addon is
 * missing or the wasm backend is not registered it returns `{ ok: false, reason }` and changes nothing.
 */
export async function registerNativeKernels(tf: Tf, options: RegisterOptions = {}): Promise<RegisterResult> {
  const loaded = loadAddon(options.addonPath ?? ADDON_PATH);
  if (!loaded.ok) return { ok: false, reason: loaded.reason };
  let config: NativeConfig;
  try {
    config = { ...configFromEnv(), ...definedOnly(options) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  if (options.kernels !== undefined && options.kernels !== 'gemm' && options.kernels !== 'all') {
    return { ok: false, reason: `@tirl/backend-native: kernels="${String(options.kernels)}" is not allowed. Allowed: gemm, all.` };
  }
  // An addon built before the memory-bound kernels existed still serves the matmuls.
  const gemmOnly = options.kernels === 'gemm' || typeof loaded.addon.transpose !== 'function';
  const names = gemmOnly ? GEMM_KERNELS : ALL_KERNELS;
  const current = names.map((name) => tf.getKernel(name, 'wasm'));
  const missing = names.filter((_, i) => !current[i]);
  if (missing.length > 0) {
    return { ok: false, reason: `the wasm backend has no ${missing.join('/')} kernels: load @tensorflow/tfjs-backend-wasm first` };
  }
  // A second registration may ask for fewer kernels: put the stock ones back first.
  unregisterNativeKernels(tf);
  for (const name of names) {
    const kernel = tf.getKernel(name, 'wasm') as KernelConfig;
    if (!(kernel as unknown as Record<symbol, boolean>)[NATIVE]) stockKernels.set(name, kernel);
  }
  const notes = applyConfig(loaded.addon, config);
  const stock = (name: string) => stockKernels.get(name) as KernelConfig;
  const configs = nativeKernelConfigs(loaded.addon, { batchMatMul: stock('BatchMatMul'), fusedMatMul: stock('_FusedMatMul') });
  if (!gemmOnly) configs.push(...elementwiseKernelConfigs(loaded.addon, stock));
  const fused = !gemmOnly && typeof loaded.addon.lmHeadForward === 'function';
  if (fused) configs.push(...fusedKernelConfigs(loaded.addon));
  for (const cfg of configs) {
    if (tf.getKernel(cfg.kernelName, 'wasm')) tf.unregisterKernel(cfg.kernelName, 'wasm');
    tf.registerKernel(Object.assign(cfg, { [NATIVE]: true }));
  }
  const info = loaded.addon.info();
  const engine = info.blas === 'openblas' ? 'OpenBLAS' : `${info.kernel} kernel`;
  const extra = gemmOnly ? '' : ` + transpose, binary ops, sum, gather${fused ? ', fused kernels' : ''}`;
  return { ok: true, tfBackend: 'wasm', detail: [`native GEMM: ${engine}, ${info.threads} threads${extra}`, ...notes].join('; ') };
}

/** Puts the stock wasm kernels back and removes the fused ones (benchmarks compare both in one process). */
export function unregisterNativeKernels(tf: Tf): void {
  for (const name of Object.values(FUSED_KERNELS)) {
    const current = tf.getKernel(name, 'wasm') as unknown as Record<symbol, boolean> | undefined;
    if (current?.[NATIVE]) tf.unregisterKernel(name, 'wasm');
  }
  for (const name of ALL_KERNELS) {
    const stock = stockKernels.get(name);
    const current = tf.getKernel(name, 'wasm') as unknown as Record<symbol, boolean> | undefined;
    if (!stock || !current?.[NATIVE]) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(stock);
  }
}

function definedOnly(options: RegisterOptions): NativeConfig {
  const out: NativeConfig = {};
  if (options.threads !== undefined) out.threads = options.threads;
  if (options.blas !== undefined) out.blas = options.blas;
  return out;
}
