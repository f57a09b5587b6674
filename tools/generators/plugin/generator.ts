import { joinPathFragments, names, type Tree } from '@nx/devkit';
import { KINDS, isKnownKind } from '@tirl/core';
import { KIND_FOLDERS, KIND_TEMPLATES } from '@tirl/create-plugin';
import { changesetFile, definitionFile, packageJson, readmeFile, readmeRow, testFile, type PluginNames } from './templates';

export interface PluginGeneratorSchema {
  package: string;
  kind: string;
  name: string;
  summary: string;
}

/**
 * Scaffolds plugin `kind/name` in `packages/<package>`: a working definition of that kind (it passes its
 * kind's kit), an export in `src/index.ts` (added to `plugins`), a kit-based test, a README row and a
 * changeset. The definition goes where the package already keeps plugins of that kind (the folder of
 * most of its `kind: '<kind>'` definitions), else in the conventional folder. Creates the package when
 * it does not exist. Synchronous; the default export is the async Nx entry.
 */
export function generatePlugin(tree: Tree, schema: PluginGeneratorSchema): { definition: string; test: string } {
  if (!isKnownKind(schema.kind)) {
    throw new Error(`plugin generator: unknown kind "${schema.kind}"; known: ${Object.keys(KINDS).join(', ')}`);
  }
  if (!KIND_TEMPLATES[schema.kind]) {
    throw new Error(
      `plugin generator: kind "${schema.kind}" has no scaffold yet; scaffolds exist for ${Object.keys(KIND_TEMPLATES).join(', ')}. ` +
        'Write the plugin by hand from a neighbour of its kind and run its kit from @tirl/core/testing.',
    );
  }
  const n: PluginNames = {
    pkg: schema.package,
    kind: schema.kind,
    name: schema.name,
    camel: names(schema.name).propertyName,
    summary: schema.summary.trim().replace(/\.$/, ''),
    methods: KINDS[schema.kind].methods,
  };
  const root = joinPathFragments('packages', n.pkg);
  const folder = folderFor(tree, joinPathFragments(root, 'src'), n.kind);
  const definition = joinPathFragments(root, 'src', folder, `${n.name}.ts`);
  if (tree.exists(definition)) throw new Error(`plugin generator: ${definition} already exists`);
  if (!tree.exists(joinPathFragments(root, 'package.json'))) {
    tree.write(joinPathFragments(root, 'package.json'), packageJson(n));
    tree.write(joinPathFragments(root, 'tsconfig.build.json'), buildTsconfig);
  }
  tree.write(definition, definitionFile(n));
  const test = joinPathFragments(root, 'test', `${n.name}.test.ts`);
  tree.write(test, testFile(n, `../src/${folder}/${n.name}`));
  addToIndex(tree, joinPathFragments(root, 'src', 'index.ts'), n, folder);
  addReadmeRow(tree, joinPathFragments(root, 'README.md'), n);
  tree.write(joinPathFragments('.changeset', `${n.pkg}-${n.name}.md`), changesetFile(n));
  return { definition, test };
}

export default async function pluginGenerator(tree: Tree, schema: PluginGeneratorSchema): Promise<void> {
  generatePlugin(tree, schema);
}

/** The `src/` sub-folder holding most of the package's plugins of `kind`, else the conventional one. */
function folderFor(tree: Tree, src: string, kind: string): string {
  const counts = new Map<string, number>();
  const visit = (dir: string) => {
    for (const child of tree.children(dir)) {
      const path = joinPathFragments(dir, child);
      if (tree.isFile(path)) {
        if (path.endsWith('.ts') && new RegExp(`\\bkind: '${kind}'`).test(tree.read(path, 'utf-8') ?? '')) {
          const folder = dir.slice(src.length + 1);
          if (folder) counts.set(folder, (counts.get(folder) ?? 0) + 1);
        }
      } else visit(path);
    }
  };
  if (tree.exists(src)) visit(src);
  const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return best?.[0] ?? KIND_FOLDERS[kind] ?? `${names(kind).fileName}s`;
}

const buildTsconfig = JSON.stringify({ extends: '../../tsconfig.build.base.json', compilerOptions: { outDir: 'dist', rootDir: 'src' }, include: ['src'] }, null, 2) + '\n';

function addToIndex(tree: Tree, path: string, n: PluginNames, folder: string): void {
  const importLine = `import { ${n.camel} } from './${folder}/${n.name}';`;
  const exportLine = `export { ${n.camel} } from './${folder}/${n.name}';`;
  const current = tree.read(path, 'utf-8');
  if (current === null) {
    tree.write(path, `import type { AnyPluginDefinition } from '@tirl/core';\n${importLine}\n\n${exportLine}\n\n/** Every plugin of the package. Importing registers nothing. */\nexport const plugins: readonly AnyPluginDefinition[] = [${n.camel}];\n`);
    return;
  }
  const list = /export const plugins(?:: [^=]+)? = \[([^\]]*)\]/.exec(current);
  if (!list) throw new Error(`plugin generator: ${path} has no "export const plugins = [...]" to add ${n.camel} to`);
  const entries = list[1].trim() ? `${list[1].trim().replace(/,$/, '')}, ${n.camel}` : n.camel;
  const updated = current.replace(list[0], list[0].replace(`[${list[1]}]`, `[${entries}]`));
  tree.write(path, `${importLine}\n${exportLine}\n${updated}`);
}

function addReadmeRow(tree: Tree, path: string, n: PluginNames): void {
  const current = tree.read(path, 'utf-8');
  if (current === null) {
    tree.write(path, readmeFile(n));
    return;
  }
  const lines = current.split('\n');
  const header = lines.findIndex((l) => l.startsWith('| id |'));
  if (header < 0) {
    tree.write(path, `${current.trimEnd()}\n\n${readmeFile(n).split('\n').slice(2).join('\n')}`);
    return;
  }
  let end = header + 2;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  lines.splice(end, 0, readmeRow(n));
  tree.write(path, lines.join('\n'));
}
