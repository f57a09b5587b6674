import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend, packagesFromModules } from '../src';

const missing = (name: string) => {
  throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
};
/** A loader where tfjs-node(-gpu) is absent, as on a machine without libtensorflow. */
const withoutNative = (name: string) => (name.startsWith('@tensorflow/tfjs-node') ? missing(name) : require(name));
/** No installed package declares a backend. */
const noBackendPackages = packagesFromModules({});

describe('initBackend', () => {
  afterEach(async () => {
    delete process.env.TIRL_BACKEND;
    await tf.setBackend('cpu');
  });

  it('falls back to wasm when tfjs-node-gpu is absent, and says why each faster backend was skipped', async () => {
    const report = await initBackend({ loadModule: withoutNative, packages: noBackendPackages });
    expect(report.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.skipped).toEqual([
      {
        name: 'tensorflow',
        reason: '@tensorflow/tfjs-node-gpu: not installed; @tensorflow/tfjs-node: not installed',
      },
      { name: 'webgpu', reason: 'no installed package provides it' },
      { name: 'wasm-native', reason: 'no installed package provides it' },
    ]);
    expect(describeBackend(report)).toMatch(/^backend wasm \(skipped tensorflow: .*webgpu: .*wasm-native: /);
    expect(tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]).toBe(3);
  });

  it('starts a backend that an installed package declares in its manifest', async () => {
    const calls: string[] = [];
    const packages = packagesFromModules({
      'tirl-backend-fake': {
        manifest: { backends: [{ name: 'webgpu', register: 'registerFake' }] },
        exports: { registerFake: async () => (calls.push('registered'), { ok: true, tfBackend: 'cpu', detail: 'fake adapter' }) },
      },
    });
    const report = await initBackend({ loadModule: withoutNative, packages });
    expect(calls).toEqual(['registered']);
    expect(report).toMatchObject({ name: 'webgpu', tfBackend: 'cpu', detail: 'fake adapter' });
  });

  it('tells a broken TensorFlow package from a missing one', async () => {
    const broken = (name: string) => {
      if (name === '@tensorflow/tfjs-node-gpu') throw Object.assign(new Error("Cannot find module 'libcudart.so.11'"), { code: 'MODULE_NOT_FOUND' });
      return withoutNative(name);
    };
    const report = await initBackend({ loadModule: broken, packages: noBackendPackages });
    expect(report.skipped[0].reason).toBe(
      "@tensorflow/tfjs-node-gpu: installed but failed to load: Cannot find module 'libcudart.so.11'; @tensorflow/tfjs-node: not installed",
    );
  });

  it('falls back to cpu when wasm cannot start', async () => {
    const noWasm = (name: string) => (name === '@tensorflow/tfjs-backend-wasm' ? missing(name) : withoutNative(name));
    const report = await initBackend({ loadModule: noWasm, prefer: 'cpu', packages: noBackendPackages });
    expect(report.name).toBe('cpu');
    expect(report.skipped).toEqual([]);
  });

  it('honours TIRL_BACKEND and fails clearly when the forced backend cannot start', async () => {
    process.env.TIRL_BACKEND = 'cpu';
    expect((await initBackend({ loadModule: withoutNative })).name).toBe('cpu');
    process.env.TIRL_BACKEND = 'tensorflow';
    await expect(initBackend({ loadModule: withoutNative })).rejects.toThrow(
      'Backend "tensorflow" was forced but cannot start: @tensorflow/tfjs-node-gpu: not installed',
    );
    process.env.TIRL_BACKEND = 'tpu';
    await expect(initBackend()).rejects.toThrow('TIRL_BACKEND="tpu" is not a backend. Allowed: tensorflow, webgpu, wasm-native, wasm, cpu');
  });
});
