import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_VERSIONS, SCAFFOLD_KINDS, scaffoldPluginPackage, TOOL_VERSIONS } from '../src';

const root = join(__dirname, '..', '..', '..');
// Inside the repository, so the scaffolds' imports (@tirl/core, zod) resolve as they would once installed;
// a dot-folder, so jest does not collect the scaffolds' tests as suites of their own.
const scratch = join(__dirname, '.scaffolds');
rmSync(scratch, { recursive: true, force: true });

// Every kind's scaffold is a plugin package whose own test (its kind's behavioural kit) passes: its test
// file runs here, as `npm test` would run it in the new package.
for (const kind of SCAFFOLD_KINDS) {
  const { dir } = scaffoldPluginPackage({ packageName: `tirl-plugin-${kind.toLowerCase()}`, kind, name: 'example', summary: `An example ${kind}`, dir: join(scratch, kind) });
  describe(`npm create @tirl/plugin --kind ${kind}`, () => {
    require(join(dir, 'test', 'example.test.ts'));
  });
}

describe('@tirl/create-plugin', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('writes a package whose manifest, entry point and build point at the plugin', () => {
    const dir = join(scratch, 'reward');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'tirl-plugin-reward', main: 'dist/index.js', types: 'dist/index.d.ts', tirl: { plugins: ['reward/example'] }, scripts: { build: 'tsc -p tsconfig.build.json', test: 'jest' } });
    expect(pkg.peerDependencies).toEqual({ '@tirl/core': HOST_VERSIONS['@tirl/core'], zod: HOST_VERSIONS.zod });
    const index = require(join(dir, 'src'));
    expect(index.plugins.map((p: { id: string }) => p.id)).toEqual(['reward/example']);
    expect(JSON.parse(readFileSync(join(scratch, 'objective', 'package.json'), 'utf8')).peerDependencies).toHaveProperty('@tensorflow/tfjs-core');
  });

  it("type-checks: every kind's scaffold compiles under the repository's strict TypeScript settings", () => {
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ extends: '../../../../tsconfig.json', include: ['*/src', '*/test'] }));
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(scratch, 'tsconfig.json')], { encoding: 'utf8' });
    expect({ status: tsc.status, diagnostics: tsc.stdout + tsc.stderr }).toEqual({ status: 0, diagnostics: '' });
  }, 180_000);

  it('builds and tests with the versions tirl itself uses', () => {
    const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const [name, range] of Object.entries(TOOL_VERSIONS)) expect([name, rootPkg.devDependencies[name]]).toEqual([name, range]);
    const core = JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8'));
    expect(HOST_VERSIONS.zod).toBe(core.dependencies.zod);
    expect(HOST_VERSIONS['@tensorflow/tfjs-core']).toBe(core.peerDependencies['@tensorflow/tfjs-core']);
    expect(HOST_VERSIONS.tsyringe).toBe(core.peerDependencies.tsyringe);
    expect(HOST_VERSIONS['@tirl/core']).toBe(`^${core.version}`);
  });

  it('refuses a bad package name, kind or plugin name, naming the fix, and never overwrites a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'create-plugin-'));
    try {
      expect(() => scaffoldPluginPackage({ packageName: 'Bad Name', kind: 'reward', name: 'x', dir: join(dir, 'a') })).toThrow(/package name "Bad Name" is not a valid npm name/);
      expect(() => scaffoldPluginPackage({ packageName: 'ok', kind: 'rewards', name: 'x', dir: join(dir, 'a') })).toThrow(/--kind "rewards" is not a plugin kind; known: advantage, .*reward/);
      expect(() => scaffoldPluginPackage({ packageName: 'ok', kind: 'reward', name: 'Brevity', dir: join(dir, 'a') })).toThrow(/--name "Brevity" must be kebab-case/);
      expect(() => scaffoldPluginPackage({ packageName: 'ok', kind: 'reward', name: 'x', dir: root })).toThrow(/exists and is not empty/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs as a bin: --help, and a usage error naming what is missing', () => {
    const main = join(__dirname, '..', 'src', 'main.ts');
    const tsx = [require.resolve('tsx/cli'), main];
    expect(execFileSync(process.execPath, [...tsx, '--help'], { encoding: 'utf8' })).toContain('npm create @tirl/plugin -- PACKAGE_NAME --kind KIND --name NAME');
    let error: { status?: number; stderr?: string } = {};
    try {
      execFileSync(process.execPath, [...tsx, 'tirl-plugin-x', '--kind', 'reward'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.status).toBe(2);
    expect(error.stderr).toContain('missing --name');
  });
});
