import type { NativeGemm } from './addon';

export interface NativeConfig {
  /** Worker threads for one GEMM (`TIRL_NATIVE_THREADS`, default: all cores). */
  threads?: number;
  /** `openblas` uses libopenblas when it can be loaded (`TIRL_NATIVE_BLAS`, default `none`). */
  blas?: 'none' | 'openblas';
}

/** Reads `TIRL_NATIVE_THREADS` and `TIRL_NATIVE_BLAS`; throws on values that are not allowed. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): NativeConfig {
  const config: NativeConfig = {};
  const threads = env.TIRL_NATIVE_THREADS;
  if (threads !== undefined && threads !== '') {
    const n = Number(threads);
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`@tirl/backend-native: TIRL_NATIVE_THREADS="${threads}" is not a positive integer. Set it to e.g. 2, or unset it to use every core.`);
    }
    config.threads = n;
  }
  const blas = env.TIRL_NATIVE_BLAS;
  if (blas !== undefined && blas !== '') {
    if (blas !== 'none' && blas !== 'openblas') {
      throw new Error(`@tirl/backend-native: TIRL_NATIVE_BLAS="${blas}" is not allowed. Allowed: none, openblas.`);
    }
    config.blas = blas;
  }
  return config;
}

/** Applies the config to the addon; returns notes for the backend report (e.g. why OpenBLAS is off). */
export function applyConfig(addon: NativeGemm, config: NativeConfig): string[] {
  const notes: string[] = [];
  addon.setThreads(config.threads ?? addon.info().hardwareThreads);
  const failure = addon.useBlas(config.blas ?? 'none');
  if (failure) notes.push(`OpenBLAS unavailable, using built-in kernel (${failure})`);
  return notes;
}
