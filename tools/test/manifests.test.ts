import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeRun, discoverPlugins, installedRunCatalog, nodeModulesPackages, parseManifest, resolveRecipe, TirlError, type TirlManifest } from '@tirl/core';
import { PLUGIN_PACKAGES } from '@tirl/recipes';

const root = join(__dirname, '..', '..');
const packageDirs = readdirSync(join(root, 'packages')).map((dir) => join(root, 'packages', dir));
const example = join(root, 'examples', 'third-party-plugin');

function readPackage(dir: string): { name: string; tirl?: unknown } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** The package's real entry point: workspace packages through their names (sources), the example by path. */
function exportsOf(dir: string): Record<string, unknown> {
  return dir === example ? require(join(example, 'src')) : require(readPackage(dir).name);
}

const sorted = (xs: readonly string[] | undefined) => [...(xs ?? [])].sort();

describe('package manifests', () => {
  it.each([...packageDirs, example].map((dir) => [readPackage(dir).name, dir]))('%s declares exactly what it exports', (_name, dir) => {
    const pkg = readPackage(dir);
    const mod = exportsOf(dir);
    const plugins = ((mod.plugins as { id: string }[] | undefined) ?? []).map((p) => p.id);
    const named = (key: 'recipes' | 'methods' | 'tasks' | 'scales') => sorted(((mod[key] as { name: string }[] | undefined) ?? []).map((r) => r.name));
    const exported = { plugins: sorted(plugins), recipes: named('recipes'), methods: named('methods'), tasks: named('tasks'), scales: named('scales') };
    const manifest: TirlManifest = pkg.tirl === undefined ? {} : parseManifest(pkg.name, pkg.tirl);
    // A package without a manifest must provide nothing that discovery could miss.
    expect({
      plugins: sorted(manifest.plugins),
      recipes: sorted(manifest.recipes),
      methods: sorted(manifest.methods),
      tasks: sorted(manifest.tasks),
      scales: sorted(manifest.scales),
    }).toEqual(exported);
    for (const backend of manifest.backends ?? []) expect(typeof mod[backend.register]).toBe('function');
  });

  it("the recipes package's table of plugin packages matches the manifests", () => {
    const fromManifests: Record<string, string[]> = {};
    for (const dir of packageDirs) {
      const pkg = readPackage(dir);
      const plugins = (pkg.tirl as TirlManifest | undefined)?.plugins;
      if (plugins?.length && pkg.name !== '@tirl/trainer') fromManifests[pkg.name] = sorted(plugins);
    }
    expect(Object.fromEntries(Object.entries(PLUGIN_PACKAGES).map(([k, v]) => [k, sorted(v)]))).toEqual(fromManifests);
  });

  it('core names no other tirl package', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) {
          readFileSync(path, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (/['"`]@tirl\/(?!core)/.test(line)) offenders.push(`${path.slice(root.length + 1)}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk(join(root, 'packages', 'core', 'src'));
    expect(offenders).toEqual([]);
  });

  it('discovery finds every built-in plugin package from its manifest, and the GRPO method names its packages', () => {
    const { catalog, packages, failed } = discoverPlugins();
    expect(failed).toEqual([]);
    for (const [pkg, ids] of Object.entries(PLUGIN_PACKAGES)) {
      expect(packages.map((p) => p.name)).toContain(pkg);
      for (const id of ids) expect(catalog.has(id)).toBe(true);
    }
    // Every installed method names the package of every plugin it uses, so the install line is complete.
    const owner = new Map(packages.flatMap((p) => (p.manifest.plugins ?? []).map((id) => [id, p.name] as const)));
    const runs = installedRunCatalog();
    const specs: { method?: string; recipe?: string }[] = [...[...runs.methods.keys()].map((method) => ({ method })), ...[...runs.recipes.keys()].map((recipe) => ({ recipe }))];
    for (const spec of specs) {
      const name = spec.method ?? spec.recipe;
      const run = composeRun(spec, { catalog: runs });
      const needed = run.plugins.map((p) => owner.get(p.id)).filter((p) => p !== undefined && p !== '@tirl/trainer');
      expect({ name, missing: needed.filter((p) => !run.packages.includes(p!)) }).toEqual({ name, missing: [] });
    }
    expect(resolveRecipe('grpo').packages).toEqual(
      expect.arrayContaining(['@tirl/advantage', '@tirl/clipping', '@tirl/rewards', '@tirl/rollout-tree', '@tirl/samplers']),
    );
  });
});

describe('discovery in a node_modules folder', () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'tirl-discovery-'));
    const add = (name: string, pkg: Record<string, unknown>, index: string) => {
      const dir = join(project, 'node_modules', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', main: 'index.js', ...pkg }));
      writeFileSync(join(dir, 'index.js'), index);
    };
    add('@acme/broken-rewards', { tirl: { plugins: ['reward/acme'] } }, "require('acme-missing-dependency'); module.exports = { plugins: [] };");
    add('not-a-plugin', {}, 'module.exports = {};');
    add('@acme/empty', { tirl: { recipes: ['acme'] } }, 'module.exports = { recipes: [] };');
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('lists only packages with a manifest, scoped ones included', () => {
    const names = nodeModulesPackages({ from: [project] }).list().map((p) => p.name);
    expect(names).toEqual(['@acme/broken-rewards', '@acme/empty']);
  });

  it('reports a package whose own dependency is missing as broken, naming the dependency, not as "not installed"', () => {
    const source = nodeModulesPackages({ from: [project] });
    const { failed } = discoverPlugins(source);
    expect(failed).toEqual([
      {
        name: '@acme/broken-rewards',
        reason:
          '@acme/broken-rewards@1.2.3 is installed but failed to load: it needs "acme-missing-dependency", which cannot be found (reinstall @acme/broken-rewards, or install acme-missing-dependency)',
      },
    ]);
    expect(() => installedRunCatalog(source)).toThrow('@acme/empty: its manifest lists recipes acme, which its export lacks');
  });

  it('rejects an invalid manifest naming the package and the field', () => {
    expect(() => parseManifest('tirl-plugin-x', { plugin: ['reward/x'] })).toThrow(TirlError);
    expect(() => parseManifest('tirl-plugin-x', { plugins: 'reward/x' })).toThrow('tirl-plugin-x: the "tirl" field of its package.json is invalid: plugins:');
  });
});
