/**
 * Per-kernel time of any wasm benchmark script, stock or with the native kernels: every wasm kernel
 * is wrapped with a timer (wasm kernels run synchronously, so the wall time of the call is the
 * kernel's time). A table is printed for each section of the script, a section ending whenever the
 * script prints a result line, so a benchmark's phases are profiled separately.
 * Run: npx tsx packages/backend-native/bench/profile-kernels.ts [--stock] [--gemm-only] [--top N] <script.ts> [args...]
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerNativeKernels } from '../src';

interface Entry {
  ms: number;
  calls: number;
}

const totals = new Map<string, Entry>();

function timed(config: tf.KernelConfig): tf.KernelConfig {
  const inner = config.kernelFunc;
  const name = config.kernelName;
  const kernelFunc = (args: Parameters<typeof inner>[0]) => {
    const t0 = performance.now();
    const out = inner(args);
    const entry = totals.get(name) ?? { ms: 0, calls: 0 };
    entry.ms += performance.now() - t0;
    entry.calls += 1;
    totals.set(name, entry);
    return out;
  };
  return { ...config, kernelFunc: kernelFunc as typeof inner };
}

/**
 * Times every wasm kernel, including kernels registered later (the policy bench registers the native
 * kernels itself): tfjs keeps its kernel registry in the global map `_tfGlobals.kernelRegistry`, keyed
 * `<backend>_<kernel>`, so its `set` is wrapped.
 */
function wrapWasmKernels(): void {
  for (const config of tf.getKernelsForBackend('wasm')) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(timed(config));
  }
  const globals = (globalThis as { _tfGlobals?: Map<string, unknown> })._tfGlobals;
  const registry = globals?.get('kernelRegistry') as Map<string, tf.KernelConfig> | undefined;
  if (!registry) throw new Error('profile-kernels: tfjs kernel registry not found (tfjs-core changed its globals)');
  registry.set = (key: string, config: tf.KernelConfig) =>
    Map.prototype.set.call(registry, key, key.startsWith('wasm_') ? timed(config) : config) as Map<string, tf.KernelConfig>;
}

function printSection(label: string, top: number, log: (s: string) => void): void {
  const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const all = rows.reduce((s, [, v]) => s + v.ms, 0);
  const calls = rows.reduce((s, [, v]) => s + v.calls, 0);
  log(`-- kernels during "${label}": ${all.toFixed(1)} ms in ${calls} calls`);
  log('kernel                     calls   total ms   share');
  for (const [name, v] of rows.slice(0, top)) {
    log(`${name.padEnd(26)} ${String(v.calls).padStart(6)} ${v.ms.toFixed(2).padStart(10)} ${((100 * v.ms) / all).toFixed(1).padStart(6)}%`);
  }
  totals.clear();
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const stock = argv.includes('--stock');
  const gemmOnly = argv.includes('--gemm-only');
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 15;
  const rest = argv.filter((a, i) => !['--stock', '--gemm-only', '--top'].includes(a) && (topAt < 0 || i !== topAt + 1));
  const [script, ...scriptArgs] = rest;
  if (!script) throw new Error('usage: profile-kernels.ts [--stock] [--gemm-only] [--top N] <script.ts> [args...]');
  await tf.setBackend('wasm');
  await tf.ready();
  if (!stock) {
    const result = await registerNativeKernels(tf, { kernels: gemmOnly ? 'gemm' : 'all' });
    if (!result.ok) throw new Error(`native kernels unavailable: ${result.reason}`);
    console.error(`[profile] ${result.detail}`);
  } else {
    console.error('[profile] stock wasm kernels');
  }
  wrapWasmKernels();
  const log = console.log.bind(console);
  console.log = (...parts: unknown[]) => {
    log(...parts);
    printSection(parts.map(String).join(' ').slice(0, 60), top, log);
  };
  const file = path.resolve(script);
  process.argv = [process.argv[0], file, ...scriptArgs];
  require(file);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
