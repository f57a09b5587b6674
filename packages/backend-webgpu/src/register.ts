import type * as tfc from '@tensorflow/tfjs-core';
import { describeAdapter, softwareAdapterReason } from './adapter';
import { type DawnLoad, type GpuLike, loadDawn } from './dawn';
import { hasGpuDevice } from './device-probe';

export type RegisterResult = { ok: true; tfBackend: 'webgpu'; detail?: string } | { ok: false; reason: string };

export interface RegisterWebGpuOptions {
  /** Gives up on an adapter request after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Loads Dawn (tests inject fakes). */
  loadDawn?: () => DawnLoad;
  /** Loads `@tensorflow/tfjs-backend-webgpu`, which registers the `webgpu` backend factory. */
  loadTfWebGpu?: () => unknown;
  /** Whether a GPU device exists at all (default: device nodes on Linux; skipped when Dawn is injected). */
  hasGpuDevice?: () => boolean;
}

type Tf = Pick<typeof tfc, 'findBackendFactory'>;

/**
 * Sets up Dawn for Node and registers tfjs's WebGPU backend, but only when Dawn finds a hardware
 * adapter: with no GPU, or only a software one (lavapipe, SwiftShader), it returns
 * `{ ok: false, reason }` and leaves `globalThis` untouched. Never throws.
 */
export async function registerWebGpuBackend(tf: Tf, options: RegisterWebGpuOptions = {}): Promise<RegisterResult> {
  try {
    const probe = options.hasGpuDevice ?? (options.loadDawn ? () => true : hasGpuDevice);
    if (!probe()) return { ok: false, reason: 'no GPU device (/dev/dri/renderD*, /dev/nvidia0)' };
    const loaded = (options.loadDawn ?? loadDawn)();
    if (!loaded.ok) return { ok: false, reason: loaded.reason };
    const gpu = loaded.dawn.create([]);
    const adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), options.timeoutMs ?? 5000);
    if (adapter === 'timeout') return { ok: false, reason: `no GPU adapter answered within ${options.timeoutMs ?? 5000} ms` };
    if (!adapter) return { ok: false, reason: 'no GPU adapter (Dawn found no Vulkan, Metal or D3D12 device)' };
    const software = softwareAdapterReason(adapter);
    if (software) return { ok: false, reason: `only a ${software}, which is slower than the CPU kernels` };
    installGlobals(gpu, loaded.dawn.globals);
    if (!tf.findBackendFactory('webgpu')) {
      (options.loadTfWebGpu ?? (() => require('@tensorflow/tfjs-backend-webgpu')))();
    }
    if (!tf.findBackendFactory('webgpu')) {
      return { ok: false, reason: '@tensorflow/tfjs-backend-webgpu loaded but registered no "webgpu" backend' };
    }
    return { ok: true, tfBackend: 'webgpu', detail: `adapter ${describeAdapter(adapter)}` };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'MODULE_NOT_FOUND') return { ok: false, reason: '@tensorflow/tfjs-backend-webgpu is not installed' };
    return { ok: false, reason: String(err?.message ?? e).split('\n')[0] };
  }
}

/** tfjs-backend-webgpu looks for `navigator.gpu` and the `GPU*` globals when it is first loaded. */
function installGlobals(gpu: GpuLike, globals: Record<string, unknown>): void {
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) if (!(name in g)) g[name] = value;
  if (g.navigator === undefined) g.navigator = {};
  Object.defineProperty(g.navigator as object, 'gpu', { value: gpu, configurable: true, enumerable: true });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
