import * as tf from '@tensorflow/tfjs-core';
import { type DawnModule, type GpuAdapterLike, registerWebGpuBackend, softwareAdapterReason } from '../src';

function fakeDawn(adapter: GpuAdapterLike | null): DawnModule & { created: number } {
  const dawn = {
    created: 0,
    globals: { GPUBufferUsage: { MAP_READ: 1 } },
    create() {
      dawn.created++;
      return { requestAdapter: async () => adapter };
    },
  };
  return dawn;
}

const g = globalThis as Record<string, unknown>;
afterEach(() => {
  if (g.navigator && Object.getOwnPropertyDescriptor(g.navigator, 'gpu')?.configurable) delete (g.navigator as Record<string, unknown>).gpu;
  delete g.GPUBufferUsage;
});

describe('registerWebGpuBackend', () => {
  it('returns ok: false quickly on this machine when Dawn finds no hardware GPU', async () => {
    const started = Date.now();
    // Probe Dawn even where no device node exists, so the real library is exercised here.
    const result = await registerWebGpuBackend(tf, { hasGpuDevice: () => true });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(5000);
    // On a machine with a GPU this registers instead; both answers have the documented shape.
    if (result.ok) expect(result).toEqual({ ok: true, tfBackend: 'webgpu', detail: expect.stringMatching(/^adapter /) });
    else expect(result.reason).toMatch(/no GPU adapter|software adapter|fallback adapter|CPU adapter|not installed|failed to load/);
  });

  it('skips Dawn entirely when the machine has no GPU device node', async () => {
    let loaded = false;
    const result = await registerWebGpuBackend(tf, {
      hasGpuDevice: () => false,
      loadDawn: () => ((loaded = true), { ok: true, dawn: fakeDawn(null) }),
    });
    expect(result).toEqual({ ok: false, reason: 'no GPU device (/dev/dri/renderD*, /dev/nvidia0)' });
    expect(loaded).toBe(false);
  });

  it('says no GPU adapter when Dawn returns none, and installs no globals', async () => {
    const result = await registerWebGpuBackend(tf, { loadDawn: () => ({ ok: true, dawn: fakeDawn(null) }) });
    expect(result).toEqual({ ok: false, reason: 'no GPU adapter (Dawn found no Vulkan, Metal or D3D12 device)' });
    expect((g.navigator as Record<string, unknown> | undefined)?.gpu).toBeUndefined();
    expect(g.GPUBufferUsage).toBeUndefined();
  });

  it('rejects lavapipe (llvmpipe), naming the adapter', async () => {
    const lavapipe = { info: { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' } };
    const result = await registerWebGpuBackend(tf, { loadDawn: () => ({ ok: true, dawn: fakeDawn(lavapipe) }) });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('software adapter mesa (llvmpipe (LLVM 15.0.6, 256 bits))') });
  });

  it('rejects SwiftShader and adapters flagged as fallback or CPU', () => {
    expect(softwareAdapterReason({ info: { vendor: 'google', description: 'SwiftShader Device (Subzero)' } })).toMatch(/software adapter/);
    expect(softwareAdapterReason({ isFallbackAdapter: true, info: { vendor: 'x' } })).toMatch(/fallback adapter/);
    expect(softwareAdapterReason({ info: { vendor: 'x', adapterType: 'CPU' } })).toMatch(/CPU adapter/);
    expect(softwareAdapterReason({ info: { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA A100' } })).toBeUndefined();
  });

  it('registers the tfjs webgpu backend on a hardware adapter and reports it', async () => {
    const nvidia = { info: { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA A100-SXM4-40GB' } };
    let loaded = 0;
    const result = await registerWebGpuBackend(
      { findBackendFactory: (name: string) => (loaded > 0 && name === 'webgpu' ? () => ({}) : null) } as never,
      { loadDawn: () => ({ ok: true, dawn: fakeDawn(nvidia) }), loadTfWebGpu: () => loaded++ },
    );
    expect(result).toEqual({ ok: true, tfBackend: 'webgpu', detail: 'adapter nvidia ampere (NVIDIA A100-SXM4-40GB)' });
    expect(loaded).toBe(1);
    expect((g.navigator as Record<string, unknown>).gpu).toBeDefined();
    expect(g.GPUBufferUsage).toEqual({ MAP_READ: 1 });
  });

  it('reports a missing webgpu package', async () => {
    const result = await registerWebGpuBackend(tf, { loadDawn: () => ({ ok: false, reason: 'the optional dependency `webgpu` is not installed (npm install webgpu)' }) });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('`webgpu` is not installed') });
  });

  it('gives up on an adapter request that never answers', async () => {
    const hanging: DawnModule = { globals: {}, create: () => ({ requestAdapter: () => new Promise(() => undefined) }) };
    const result = await registerWebGpuBackend(tf, { loadDawn: () => ({ ok: true, dawn: hanging }), timeoutMs: 50 });
    expect(result).toEqual({ ok: false, reason: 'no GPU adapter answered within 50 ms' });
  });
});
