import { TirlError } from '../errors';
import { PluginCatalog, unknownPluginError } from '../plugin/catalog';
import { parsePluginId } from '../plugin/define-plugin';
import { installedPackages, type InstalledPackage, type PackageSource } from '../packages/installed';
import { loadPackagePlugins, pluginProviders, registerManifestKinds } from '../packages/provided';

/**
 * Loads, for each id not yet in the catalog, the installed package whose manifest lists it. An id no
 * installed package provides is an error that names the `npm install` to run when the recipe names a
 * package that is not installed, else the known ids of its kind.
 */
export function loadPluginPackages(
  ids: readonly string[],
  catalog: PluginCatalog,
  recipePackages: readonly string[],
  source: PackageSource = installedPackages(),
): void {
  registerManifestKinds(source);
  const loaded = new Set<string>();
  for (const id of ids) {
    if (catalog.has(id)) continue;
    parsePluginId(id);
    const provider = pluginProviders(source, id)[0];
    if (provider && !loaded.has(provider.name)) {
      loaded.add(provider.name);
      for (const def of loadPackagePlugins(source, provider)) if (!catalog.has(def.id)) catalog.add(def);
    }
    if (catalog.has(id)) continue;
    const installed = new Set(source.list().map((p) => p.name));
    const missing = recipePackages.filter((p) => !installed.has(p));
    if (missing.length) {
      throw new TirlError(
        `Plugin "${id}" is not available: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed. ` +
          `Run: npm install ${missing.join(' ')}`,
        'missing-package',
      );
    }
    throw unknownPluginError(id, [...catalog.list(), ...listedPlugins(source)]);
  }
}

/** Plugin ids that installed manifests list, as `{ kind, name }` (for did-you-mean without loading). */
function listedPlugins(source: PackageSource): { kind: string; name: string }[] {
  return source.list().flatMap((p) => (p.manifest.plugins ?? []).map((id) => parsePluginId(id)));
}

export interface DiscoveredPlugins {
  catalog: PluginCatalog;
  /** Installed packages with a manifest, each with the plugin ids it provides. */
  packages: readonly InstalledPackage[];
  /** Packages whose manifest lists plugins but that failed to load, with why. */
  failed: { name: string; reason: string }[];
}

/** Loads every installed package that provides plugins (built-in and third-party alike) into a catalog. */
export function discoverPlugins(source: PackageSource = installedPackages()): DiscoveredPlugins {
  const catalog = new PluginCatalog();
  const failed: DiscoveredPlugins['failed'] = [];
  const packages = source.list();
  for (const pkg of packages) {
    if (!pkg.manifest.plugins?.length) continue;
    try {
      for (const def of loadPackagePlugins(source, pkg)) if (!catalog.has(def.id)) catalog.add(def);
    } catch (e) {
      failed.push({ name: pkg.name, reason: (e as Error).message });
    }
  }
  return { catalog, packages, failed };
}
