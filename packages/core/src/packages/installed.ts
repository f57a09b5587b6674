import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { TirlError } from '../errors';
import { parseManifest, type TirlManifest } from './manifest';

/** A package found in a `node_modules` folder whose `package.json` has a `tirl` manifest. */
export interface InstalledPackage {
  name: string;
  version: string;
  /** The `node_modules` folder it was found in. */
  nodeModules: string;
  manifest: TirlManifest;
}

/** Where packages come from: discovery lists them, `load` requires one. Tests pass an in-memory one. */
export interface PackageSource {
  list(): readonly InstalledPackage[];
  load(pkg: InstalledPackage): unknown;
}

export interface NodeModulesOptions {
  /** Folders whose `node_modules` (and their parents') are searched; default: the working folder and this package's own. */
  from?: readonly string[];
}

/**
 * The packages installed beside the host and beside `@tirl/core`: every `node_modules` folder from each
 * starting folder up to the root, scoped folders included. The first one found of a name wins.
 */
export function nodeModulesPackages(options: NodeModulesOptions = {}): PackageSource {
  const from = options.from ?? [process.cwd(), __dirname];
  let found: InstalledPackage[] | undefined;
  return {
    list: () => (found ??= scan(from)),
    load: loadInstalledPackage,
  };
}

let shared: PackageSource | undefined;

/** The default source, scanned once per process (`refresh` scans again, e.g. after an install). */
export function installedPackages(refresh = false): PackageSource {
  if (refresh || !shared) shared = nodeModulesPackages();
  return shared;
}

/**
 * The one place tirl loads a package by a name it did not know when it was written. The name comes from a
 * manifest found on disk and is resolved from the `node_modules` folder it was found in, so the package
 * that loads is the package that was listed.
 */
export function loadInstalledPackage(pkg: InstalledPackage): unknown {
  const requireThere = createRequire(join(pkg.nodeModules, '.tirl-loader.js'));
  try {
    return requireThere(pkg.name);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const missing = err.code === 'MODULE_NOT_FOUND' ? /Cannot find module '([^']+)'/.exec(err.message)?.[1] : undefined;
    const what = missing ? `it needs "${missing}", which cannot be found (reinstall ${pkg.name}, or install ${missing})` : err.message.split('\n')[0];
    throw new TirlError(`${pkg.name}@${pkg.version} is installed but failed to load: ${what}`, 'broken-package');
  }
}

function scan(from: readonly string[]): InstalledPackage[] {
  const byName = new Map<string, InstalledPackage>();
  for (const dir of nodeModulesFolders(from)) {
    for (const entry of packageFolders(dir)) {
      const pkg = readPackage(dir, entry);
      if (pkg && !byName.has(pkg.name)) byName.set(pkg.name, pkg);
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function nodeModulesFolders(from: readonly string[]): string[] {
  const folders: string[] = [];
  for (const start of from) {
    let dir = resolve(start);
    for (;;) {
      const candidate = dir.endsWith('node_modules') ? dir : join(dir, 'node_modules');
      if (!folders.includes(candidate) && existsSync(candidate)) folders.push(candidate);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return folders;
}

function packageFolders(nodeModules: string): string[] {
  const entries: string[] = [];
  for (const name of safeReaddir(nodeModules)) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) for (const inner of safeReaddir(join(nodeModules, name))) entries.push(`${name}/${inner}`);
    else entries.push(name);
  }
  return entries;
}

function readPackage(nodeModules: string, entry: string): InstalledPackage | undefined {
  let json: { name?: string; version?: string; tirl?: unknown };
  try {
    json = JSON.parse(readFileSync(join(nodeModules, entry, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (json.tirl === undefined || json.name !== entry) return undefined;
  return { name: entry, version: json.version ?? '0.0.0', nodeModules, manifest: parseManifest(entry, json.tirl) };
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
