import * as tf from '@tensorflow/tfjs-core';
import { TirlError } from '../errors';
import { type ModuleLoader, requireModule } from '../experiment/package-loader';

/** Backends from fastest to most portable. `wasm-native` is wasm with tirl's native matmul kernels. */
export const BACKEND_ORDER = ['tensorflow', 'webgpu', 'wasm-native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export interface BackendReport {
  /** The backend in use. */
  name: BackendName;
  /** The tfjs backend name underneath (`tensorflow`, `webgpu`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Why each backend before the chosen one was skipped. */
  skipped: { name: BackendName; reason: string }[];
  /** Extra facts (adapter, threads, kernels). */
  detail?: string;
}

export interface InitBackendOptions {
  /** Try these first, in order (the others follow in the default order). */
  prefer?: BackendName | readonly BackendName[];
  /** Use exactly this backend or fail; `TIRL_BACKEND` sets it from the environment. */
  force?: BackendName;
  loadModule?: ModuleLoader;
}

type Attempt = { ok: true; tfBackend: string; detail?: string } | { ok: false; reason: string };

/**
 * Picks the fastest tensor backend that loads here and reports why each faster one was skipped.
 * Order: tensorflow (tfjs-node-gpu, then tfjs-node) → webgpu with a hardware adapter → wasm with
 * native kernels → wasm → cpu.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const load = options.loadModule ?? requireModule;
  const forced = options.force ?? parseEnvBackend(process.env.TIRL_BACKEND);
  const preferred = options.prefer === undefined ? [] : Array.isArray(options.prefer) ? options.prefer : [options.prefer];
  const order: BackendName[] = forced ? [forced] : [...new Set([...preferred, ...BACKEND_ORDER])] as BackendName[];
  const skipped: BackendReport['skipped'] = [];
  for (const name of order) {
    const attempt = await tryBackend(name, load);
    if (attempt.ok) return { name, tfBackend: attempt.tfBackend, skipped, detail: attempt.detail };
    if (forced) throw new TirlError(`Backend "${name}" was forced but cannot start: ${attempt.reason}`, 'backend');
    skipped.push({ name, reason: attempt.reason });
  }
  throw new TirlError(`No tensor backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`, 'backend');
}

/** One line for the console: `backend wasm (skipped tensorflow: ..., webgpu: ...)`. */
export function describeBackend(report: BackendReport): string {
  const why = report.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return `backend ${report.name}${report.detail ? ` [${report.detail}]` : ''}${why ? ` (skipped ${why})` : ''}`;
}

function parseEnvBackend(value: string | undefined): BackendName | undefined {
  if (!value) return undefined;
  if (!(BACKEND_ORDER as readonly string[]).includes(value)) {
    throw new TirlError(`TIRL_BACKEND="${value}" is not a backend. Allowed: ${BACKEND_ORDER.join(', ')}`, 'backend');
  }
  return value as BackendName;
}

async function tryBackend(name: BackendName, load: ModuleLoader): Promise<Attempt> {
  try {
    switch (name) {
      case 'tensorflow':
        return await tryTensorflow(load);
      case 'webgpu':
        return await tryPlugin('@tirl/backend-webgpu', 'registerWebGpuBackend', load);
      case 'wasm-native': {
        const wasm = await activate('wasm', () => load('@tensorflow/tfjs-backend-wasm'));
        if (!wasm.ok) return wasm;
        return await tryPlugin('@tirl/backend-native', 'registerNativeKernels', load);
      }
      case 'wasm':
        return await activate('wasm', () => load('@tensorflow/tfjs-backend-wasm'));
      case 'cpu':
        return await activate('cpu', () => load('@tensorflow/tfjs-backend-cpu'));
    }
  } catch (e) {
    return { ok: false, reason: firstLine(e) };
  }
}

async function tryTensorflow(load: ModuleLoader): Promise<Attempt> {
  const reasons: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    const attempt = await activate('tensorflow', () => load(pkg));
    if (attempt.ok) return { ...attempt, detail: pkg };
    reasons.push(`${pkg}: ${attempt.reason}`);
  }
  return { ok: false, reason: reasons.join('; ') };
}

/** A tirl backend package exports `fn(tf) → { ok, tfBackend?, detail?, reason? }`. */
async function tryPlugin(pkg: string, fn: string, load: ModuleLoader): Promise<Attempt> {
  let mod: Record<string, unknown>;
  try {
    mod = load(pkg) as Record<string, unknown>;
  } catch (e) {
    return { ok: false, reason: isMissing(e, pkg) ? `${pkg} is not installed` : firstLine(e) };
  }
  const register = mod[fn] as ((t: typeof tf) => Promise<Attempt>) | undefined;
  if (typeof register !== 'function') return { ok: false, reason: `${pkg} has no ${fn}()` };
  const result = await register(tf);
  if (!result.ok) return result;
  const set = await tf.setBackend(result.tfBackend);
  return set ? result : { ok: false, reason: `tfjs could not start "${result.tfBackend}"` };
}

async function activate(tfBackend: string, loadPackage: () => unknown): Promise<Attempt> {
  if (!tf.findBackendFactory(tfBackend)) {
    try {
      loadPackage();
    } catch (e) {
      return { ok: false, reason: isMissing(e) ? 'not installed' : firstLine(e) };
    }
  }
  if (!tf.findBackendFactory(tfBackend)) return { ok: false, reason: `package loaded but registered no "${tfBackend}" backend` };
  const ok = await tf.setBackend(tfBackend);
  if (!ok) return { ok: false, reason: `"${tfBackend}" failed to initialise` };
  await tf.ready();
  return { ok: true, tfBackend };
}

function isMissing(e: unknown, pkg?: string): boolean {
  const err = e as NodeJS.ErrnoException;
  return err?.code === 'MODULE_NOT_FOUND' && (!pkg || String(err.message).includes(pkg));
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
