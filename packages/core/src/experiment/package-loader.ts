import { TirlError } from '../errors';
import { KINDS, isKnownKind } from '../kinds';
import { PluginCatalog, unknownPluginError } from '../plugin/catalog';

import type { AnyPluginDefinition } from '../plugin/define-plugin';
import { parsePluginId } from '../plugin/define-plugin';

/** Loads a package by name; the default is Node's `require`. */
export type ModuleLoader = (packageName: string) => unknown;

export const requireModule: ModuleLoader = (name) => require(name);

/** Loads the package that owns each id not yet in the catalog, then checks every id is known. */
export function loadPluginPackages(
  ids: readonly string[],
  catalog: PluginCatalog,
  extraPackages: readonly string[],
  load: ModuleLoader,
): void {
  const missingPackages = new Set<string>();
  const tried = new Set<string>();
  for (const id of ids) {
    if (catalog.has(id)) continue;
    const { kind } = parsePluginId(id);
    const candidates = [...extraPackages, ...(isKnownKind(kind) ? KINDS[kind].packages : [])];
    for (const pkg of candidates) {
      if (catalog.has(id)) break;
      if (tried.has(pkg)) continue;
      tried.add(pkg);
      const plugins = loadPackagePlugins(pkg, load);
      if (plugins === 'missing') missingPackages.add(pkg);
      else catalog.addAll(plugins);
    }
    if (!catalog.has(id)) {
      const missing = candidates.filter((p) => missingPackages.has(p));
      if (missing.length) {
        throw new TirlError(
          `Plugin "${id}" is not available: ${missing.join(' or ')} ${missing.length > 1 ? 'are' : 'is'} not installed. ` +
            `Run: npm install ${missing[0]}`,
          'missing-package',
        );
      }
      throw unknownPluginError(id, catalog.list());
    }
  }
}

function loadPackagePlugins(pkg: string, load: ModuleLoader): AnyPluginDefinition[] | 'missing' {
  let mod: unknown;
  try {
    mod = load(pkg);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' && err.message.includes(pkg)) return 'missing';
    throw new TirlError(`Loading ${pkg} failed: ${err.message}`, 'missing-package');
  }
  const plugins = (mod as { plugins?: AnyPluginDefinition[] }).plugins;
  if (!Array.isArray(plugins)) {
    throw new TirlError(`${pkg} does not export a "plugins" list, so tirl cannot load its plugins`, 'missing-package');
  }
  return plugins;
}

/** Every package that holds built-in plugins, in kind order. */
export function builtInPackages(): string[] {
  return [...new Set(Object.values(KINDS).flatMap((k) => k.packages))];
}

/** Loads every installed plugin package into a catalog; reports the ones that are not installed. */
export function discoverPlugins(
  packages: readonly string[] = builtInPackages(),
  load: ModuleLoader = requireModule,
): { catalog: PluginCatalog; missing: string[] } {
  const catalog = new PluginCatalog();
  const missing: string[] = [];
  for (const pkg of packages) {
    const plugins = loadPackagePlugins(pkg, load);
    if (plugins === 'missing') missing.push(pkg);
    else catalog.addAll(plugins);
  }
  return { catalog, missing };
}
