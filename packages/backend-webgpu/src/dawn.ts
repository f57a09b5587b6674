import * as path from 'node:path';

/** Minimal WebGPU surface this package touches. */
export interface GpuAdapterLike {
  readonly isFallbackAdapter?: boolean;
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string; type?: string; adapterType?: string };
}
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}
/** What `dawn.node` (from the `webgpu` npm package) exports. */
export interface DawnModule {
  create(flags: string[]): GpuLike;
  /** WebGPU classes and constants (`GPUBufferUsage`, ...) that tfjs expects on `globalThis`. */
  globals: Record<string, unknown>;
}

export type DawnLoad = { ok: true; dawn: DawnModule } | { ok: false; reason: string };

/**
 * Loads Dawn's prebuilt `dawn.node` straight from the `webgpu` package. The package entry is an
 * ES module; the binary itself is a plain N-API addon, so CommonJS can require it directly.
 */
export function loadDawn(): DawnLoad {
  let dir: string;
  try {
    dir = path.dirname(require.resolve('webgpu/package.json'));
  } catch {
    return { ok: false, reason: 'the optional dependency `webgpu` is not installed (npm install webgpu)' };
  }
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  const file = path.join(dir, 'dist', `${process.platform}-${arch}`, 'dawn.node');
  try {
    return { ok: true, dawn: require(file) as DawnModule };
  } catch (e) {
    return { ok: false, reason: `Dawn (${file}) failed to load: ${String((e as Error)?.message ?? e).split('\n')[0]}` };
  }
}
