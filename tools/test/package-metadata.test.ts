import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const { publishedManifest, SOURCE_CONDITION } = require('../pack/published-manifest.cjs') as {
  publishedManifest: (pkg: PackageJson) => PackageJson;
  SOURCE_CONDITION: string;
};

interface PackageJson {
  name: string;
  license?: string;
  files?: string[];
  engines?: Record<string, string>;
  repository?: { type: string; url: string; directory: string };
  publishConfig?: Record<string, unknown>;
  exports?: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  nx?: unknown;
}

const packages = readdirSync(join(root, 'packages')).map((dir) => ({
  dir,
  pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as PackageJson,
}));

describe('published package metadata', () => {
  it.each(packages)('$dir ships its README and LICENSE, says where it comes from and which Node it needs', ({ dir, pkg }) => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(join(root, 'packages', dir, 'LICENSE'), 'utf8')).toContain('Apache License');
    expect(existsSync(join(root, 'packages', dir, 'README.md'))).toBe(true);
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE']));
    expect(pkg.engines).toEqual({ node: '>=20' });
    expect(pkg.repository).toMatchObject({ type: 'git', directory: `packages/${dir}` });
    expect(pkg.publishConfig).toMatchObject({ access: 'public' });
    expect(pkg.scripts).toMatchObject({ prepack: expect.stringContaining('prepack.cjs'), postpack: expect.stringContaining('postpack.cjs') });
  });

  it.each(packages)('$dir publishes exports without the workspace source condition or Nx config', ({ pkg }) => {
    const published = publishedManifest(pkg);
    expect(JSON.stringify(published.exports ?? {})).not.toContain(SOURCE_CONDITION);
    expect(published.nx).toBeUndefined();
    expect(published.scripts?.prepack).toBeUndefined();
    // The workspace keeps the condition: sources resolve without a build.
    if (pkg.exports) expect(JSON.stringify(pkg.exports)).toContain(SOURCE_CONDITION);
  });

  it('uses one zod range everywhere', () => {
    const ranges = new Set(packages.flatMap(({ pkg }) => [pkg.dependencies?.zod, pkg.peerDependencies?.zod].filter(Boolean)));
    expect([...ranges]).toHaveLength(1);
  });

  it('core loads reflect-metadata itself and gives every export a types condition', () => {
    const core = packages.find((p) => p.dir === 'core')!.pkg;
    expect(core.dependencies?.['reflect-metadata']).toBeDefined();
    expect(readFileSync(join(root, 'packages/core/src/index.ts'), 'utf8')).toMatch(/^(\/\/.*\n)*import 'reflect-metadata';/);
    for (const [path, target] of Object.entries(core.exports as Record<string, unknown>)) {
      if (typeof target === 'object') expect({ path, types: (target as { types?: string }).types }).toEqual({ path, types: expect.stringMatching(/\.d\.ts$/) });
    }
  });

  it('heavy or native parts are opt-in: GPU tensorflow for core, chart rendering for the trainer', () => {
    const optionalPeers = (dir: string) => {
      const pkg = packages.find((p) => p.dir === dir)!.pkg;
      expect(pkg.optionalDependencies).toBeUndefined();
      return Object.entries(pkg.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([name]) => name).sort();
    };
    expect(optionalPeers('core')).toEqual(['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']);
    expect(optionalPeers('trainer')).toEqual(['sharp', 'vega', 'vega-lite']);
    const trainer = packages.find((p) => p.dir === 'trainer')!.pkg;
    for (const name of ['sharp', 'vega', 'vega-lite']) expect(trainer.dependencies?.[name]).toBeUndefined();
  });

  it('source maps carry their sources, so a published stack trace needs no src folder', () => {
    const base = JSON.parse(readFileSync(join(root, 'tsconfig.build.base.json'), 'utf8'));
    expect(base.compilerOptions.inlineSources).toBe(true);
  });
});
