import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyPluginDefinition } from '@tirl/core';

/**
 * Every plugin a built-in package lists in `plugins` runs its kind's behavioural kit from
 * `@tirl/core/testing` in one of the package's test files (a file that calls a `run...Kit` and names the
 * plugin's export).
 */
const root = join(__dirname, '..', '..');
const packages = readdirSync(join(root, 'packages')).filter((p) => {
  const index = join(root, 'packages', p, 'src', 'index.ts');
  return existsSync(index) && /export const plugins\b/.test(readFileSync(index, 'utf8'));
});

function testSources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return testSources(p);
    return p.endsWith('.ts') ? [readFileSync(p, 'utf8')] : [];
  });
}

describe.each(packages)('@tirl/%s', (pkg) => {
  it('runs the kit of every plugin it lists', () => {
    const mod = require(`@tirl/${pkg}` as string) as Record<string, unknown> & { plugins: readonly AnyPluginDefinition[] };
    const kitFiles = testSources(join(root, 'packages', pkg, 'test')).filter((s) => /\brun[A-Z][A-Za-z]*Kit\(/.test(s));
    const missing = mod.plugins
      .map((def) => ({ def, name: Object.keys(mod).find((k) => mod[k] === def) }))
      .filter(({ name }) => !name || !kitFiles.some((s) => new RegExp(`\\b${name}\\b`).test(s)))
      .map(({ def, name }) => `${def.id} (${name ?? 'not exported by name'})`);
    expect(missing).toEqual([]);
  });
});
