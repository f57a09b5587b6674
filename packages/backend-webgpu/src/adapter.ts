import type { GpuAdapterLike } from './dawn';

// Software rasterisers that expose a WebGPU adapter but run on the CPU.
const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|microsoft basic render|\bcpu\b/i;

/** One line naming the adapter, e.g. `nvidia ampere (NVIDIA A100)`. */
export function describeAdapter(adapter: GpuAdapterLike): string {
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown vendor';
  const detail = info.description || info.device;
  return detail ? `${name} (${detail})` : name;
}

/** Why this adapter is a CPU/software one, or undefined for a hardware GPU. */
export function softwareAdapterReason(adapter: GpuAdapterLike): string | undefined {
  if (adapter.isFallbackAdapter) return `fallback adapter ${describeAdapter(adapter)}`;
  const info = adapter.info ?? {};
  const type = info.adapterType ?? info.type;
  if (type && /cpu/i.test(type)) return `CPU adapter ${describeAdapter(adapter)}`;
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  if (SOFTWARE.test(text)) return `software adapter ${describeAdapter(adapter)}`;
  return undefined;
}
