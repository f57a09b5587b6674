import { TirlError } from '../errors';
import { isKnownKind, registerKind } from '../kinds';
import type { AnyPluginDefinition } from '../plugin/define-plugin';
import type { InstalledPackage, PackageSource } from './installed';
import type { NamedCollection } from './manifest';

/** Installed packages whose manifest lists the plugin id. */
export function pluginProviders(source: PackageSource, id: string): InstalledPackage[] {
  return source.list().filter((p) => p.manifest.plugins?.includes(id));
}

/** Loads a package and returns its `plugins`, checked against its manifest. */
export function loadPackagePlugins(source: PackageSource, pkg: InstalledPackage): AnyPluginDefinition[] {
  registerManifestKinds(source);
  const plugins = (source.load(pkg) as { plugins?: AnyPluginDefinition[] }).plugins;
  if (!Array.isArray(plugins)) {
    throw new TirlError(`${pkg.name} lists plugins in its manifest but exports no "plugins" list`, 'broken-package');
  }
  const exported = new Set(plugins.map((p) => p.id));
  const absent = (pkg.manifest.plugins ?? []).filter((id) => !exported.has(id));
  if (absent.length) {
    throw new TirlError(`${pkg.name}: its manifest lists ${absent.join(', ')}, which its "plugins" export lacks`, 'broken-package');
  }
  return plugins;
}

/** Every item of a named collection (`recipes`, `methods`, ...) that installed packages export. */
export function loadNamed<T extends { name: string }>(source: PackageSource, key: NamedCollection): T[] {
  const items: T[] = [];
  for (const pkg of source.list()) {
    const listed = pkg.manifest[key];
    if (!listed?.length) continue;
    const exported = (source.load(pkg) as Record<string, unknown>)[key];
    if (!Array.isArray(exported)) throw new TirlError(`${pkg.name} lists ${key} in its manifest but exports no "${key}" list`, 'broken-package');
    const names = new Set(exported.map((x: { name: string }) => x.name));
    const absent = listed.filter((n) => !names.has(n));
    if (absent.length) throw new TirlError(`${pkg.name}: its manifest lists ${key} ${absent.join(', ')}, which its export lacks`, 'broken-package');
    items.push(...(exported as T[]));
  }
  return items;
}

/** Registers the kinds that installed packages declare, so their plugins can be defined and resolved. */
export function registerManifestKinds(source: PackageSource): void {
  for (const pkg of source.list()) {
    for (const [kind, info] of Object.entries(pkg.manifest.kinds ?? {})) {
      if (!isKnownKind(kind)) registerKind(kind, info);
    }
  }
}

/** An in-memory source: `{ name: { manifest, exports } }`. For tests and for hosts that bundle packages. */
export function packagesFromModules(modules: Record<string, { manifest: InstalledPackage['manifest']; exports: unknown; version?: string }>): PackageSource {
  const list = Object.entries(modules).map(([name, m]) => ({ name, version: m.version ?? '0.0.0', nodeModules: '(memory)', manifest: m.manifest }));
  return { list: () => list, load: (pkg) => modules[pkg.name].exports };
}
