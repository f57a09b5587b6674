import * as tf from '@tensorflow/tfjs-core';
import { TirlError } from '../errors';
import { installedPackages, type PackageSource } from '../packages/installed';

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
  /** How the TensorFlow.js packages are loaded (tests simulate missing ones). */
  loadModule?: ModuleLoader;
  /** Where packages that declare tirl backends (`"tirl": { "backends": [...] }`) are found. */
  packages?: PackageSource;
}

/** Loads one of the TensorFlow.js packages by name. */
export type ModuleLoader = (name: TfjsPackage) => unknown;

type TfjsPackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node' | '@tensorflow/tfjs-backend-wasm' | '@tensorflow/tfjs-backend-cpu';

/** Fixed names, so each is a plain `require` that bundlers and linters can see. */
const requireTfjs: ModuleLoader = (name) => {
  switch (name) {
    case '@tensorflow/tfjs-node-gpu':
      return require('@tensorflow/tfjs-node-gpu');
    case '@tensorflow/tfjs-node':
      return require('@tensorflow/tfjs-node');
    case '@tensorflow/tfjs-backend-wasm':
      return require('@tensorflow/tfjs-backend-wasm');
    case '@tensorflow/tfjs-backend-cpu':
      return require('@tensorflow/tfjs-backend-cpu');
  }
};

type Attempt = { ok: true; tfBackend: string; detail?: string } | { ok: false; reason: string };

/**
 * Picks the fastest tensor backend that loads here and reports why each faster one was skipped.
 * Order: tensorflow (tfjs-node-gpu, then tfjs-node) → webgpu with a hardware adapter → wasm with
 * native kernels → wasm → cpu.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const load = options.loadModule ?? requireTfjs;
  const packages = options.packages ?? installedPackages();
  const forced = options.force ?? parseEnvBackend(process.env.TIRL_BACKEND);
  const preferred = options.prefer === undefined ? [] : Array.isArray(options.prefer) ? options.prefer : [options.prefer];
  const order: BackendName[] = forced ? [forced] : [...new Set([...preferred, ...BACKEND_ORDER])] as BackendName[];
  const skipped: BackendReport['skipped'] = [];
  for (const name of order) {
    const attempt = await tryBackend(name, load, packages);
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

async function tryBackend(name: BackendName, load: ModuleLoader, packages: PackageSource): Promise<Attempt> {
  try {
    switch (name) {
      case 'tensorflow':
        return await tryTensorflow(load);
      case 'webgpu':
        return await tryDeclared('webgpu', packages);
      case 'wasm-native': {
        const wasm = await activate('wasm', '@tensorflow/tfjs-backend-wasm', load);
        if (!wasm.ok) return wasm;
        return await tryDeclared('wasm-native', packages);
      }
      case 'wasm':
        return await activate('wasm', '@tensorflow/tfjs-backend-wasm', load);
      case 'cpu':
        return await activate('cpu', '@tensorflow/tfjs-backend-cpu', load);
    }
  } catch (e) {
    return { ok: false, reason: firstLine(e) };
  }
}

async function tryTensorflow(load: ModuleLoader): Promise<Attempt> {
  const reasons: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const) {
    const attempt = await activate('tensorflow', pkg, load);
    if (attempt.ok) return { ...attempt, detail: pkg };
    reasons.push(`${pkg}: ${attempt.reason}`);
  }
  return { ok: false, reason: reasons.join('; ') };
}

/**
 * A backend that an installed package declares in its manifest (`"backends": [{ "name", "register" }]`);
 * `register(tf)` returns `{ ok, tfBackend?, detail?, reason? }`.
 */
async function tryDeclared(name: BackendName, packages: PackageSource): Promise<Attempt> {
  const pkg = packages.list().find((p) => p.manifest.backends?.some((b) => b.name === name));
  if (!pkg) return { ok: false, reason: 'no installed package provides it' };
  const fn = pkg.manifest.backends!.find((b) => b.name === name)!.register;
  let mod: Record<string, unknown>;
  try {
    mod = packages.load(pkg) as Record<string, unknown>;
  } catch (e) {
    return { ok: false, reason: firstLine(e) };
  }
  const register = mod[fn] as ((t: typeof tf) => Promise<Attempt>) | undefined;
  if (typeof register !== 'function') return { ok: false, reason: `${pkg.name} has no ${fn}()` };
  const result = await register(tf);
  if (!result.ok) return result;
  const set = await tf.setBackend(result.tfBackend);
  return set ? result : { ok: false, reason: `tfjs could not start "${result.tfBackend}"` };
}

async function activate(tfBackend: string, pkg: TfjsPackage, load: ModuleLoader): Promise<Attempt> {
  if (!tf.findBackendFactory(tfBackend)) {
    try {
      load(pkg);
    } catch (e) {
      return { ok: false, reason: isMissing(e, pkg) ? 'not installed' : `installed but failed to load: ${firstLine(e)}` };
    }
  }
  if (!tf.findBackendFactory(tfBackend)) return { ok: false, reason: `package loaded but registered no "${tfBackend}" backend` };
  const ok = await tf.setBackend(tfBackend);
  if (!ok) return { ok: false, reason: `"${tfBackend}" failed to initialise` };
  await tf.ready();
  return { ok: true, tfBackend };
}

/** The package itself is absent, as opposed to present but broken (a missing dependency of it, a bad binary). */
function isMissing(e: unknown, pkg: string): boolean {
  const err = e as NodeJS.ErrnoException;
  return err?.code === 'MODULE_NOT_FOUND' && String(err.message).includes(`'${pkg}'`);
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
