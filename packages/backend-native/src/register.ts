import type * as tfc from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { ADDON_PATH, loadAddon } from './addon';
import { applyConfig, configFromEnv, type NativeConfig } from './config';
import { nativeKernelConfigs } from './kernels';

export type RegisterResult = { ok: true; tfBackend: 'wasm'; detail?: string } | { ok: false; reason: string };

export interface RegisterOptions extends NativeConfig {
  /** Path of the compiled addon (tests point it elsewhere to exercise the fallback). */
  addonPath?: string;
}

type Tf = Pick<typeof tfc, 'getKernel' | 'registerKernel' | 'unregisterKernel'>;

const KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;
const NATIVE = Symbol.for('tirl.backend-native');
const stockKernels = new Map<string, KernelConfig>();

/**
 * Replaces the wasm backend's `BatchMatMul` and `_FusedMatMul` with native GEMM kernels.
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
  const current = KERNELS.map((name) => tf.getKernel(name, 'wasm'));
  if (current.some((k) => !k)) {
    return { ok: false, reason: 'the wasm backend has no BatchMatMul/_FusedMatMul kernels: load @tensorflow/tfjs-backend-wasm first' };
  }
  for (const [i, name] of KERNELS.entries()) {
    if (!(current[i] as unknown as Record<symbol, boolean>)[NATIVE]) stockKernels.set(name, current[i]);
  }
  const notes = applyConfig(loaded.addon, config);
  const configs = nativeKernelConfigs(loaded.addon, {
    batchMatMul: stockKernels.get('BatchMatMul') as KernelConfig,
    fusedMatMul: stockKernels.get('_FusedMatMul') as KernelConfig,
  });
  for (const cfg of configs) {
    tf.unregisterKernel(cfg.kernelName, 'wasm');
    tf.registerKernel(Object.assign(cfg, { [NATIVE]: true }));
  }
  const info = loaded.addon.info();
  const engine = info.blas === 'openblas' ? 'OpenBLAS' : `${info.kernel} kernel`;
  return { ok: true, tfBackend: 'wasm', detail: [`native GEMM: ${engine}, ${info.threads} threads`, ...notes].join('; ') };
}

/** Puts the stock wasm kernels back (benchmarks compare both in one process). */
export function unregisterNativeKernels(tf: Tf): void {
  for (const name of KERNELS) {
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
