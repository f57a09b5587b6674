import { existsSync, readdirSync } from 'node:fs';

/**
 * On Linux, whether the machine has a GPU device node (DRM render node, NVIDIA, or WSL's dxg). Without
 * one Dawn can only find a software adapter, and loading it prints Vulkan warnings, so it is skipped.
 * Other platforms are always probed.
 */
export function hasGpuDevice(): boolean {
  if (process.platform !== 'linux') return true;
  if (existsSync('/dev/nvidia0') || existsSync('/dev/dxg')) return true;
  try {
    return readdirSync('/dev/dri').some((n) => n.startsWith('renderD'));
  } catch {
    return false;
  }
}
