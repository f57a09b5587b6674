import { joinPathFragments, names, type Tree } from '@nx/devkit';
import { KINDS, isKnownKind } from '@tirl/core';
import { changesetFile, definitionFile, packageJson, readmeFile, readmeRow, testFile, type PluginNames } from './templates';

export interface PluginGeneratorSchema {
  package: string;
  kind: string;
  name: string;
  summary: string;
}

/**
 * Scaffolds plugin `kind/name` in `packages/<package>`: the definition with an options schema, an export in
 * `src/index.ts` (added to `plugins`), a README row, a contract-suite test and a changeset. Creates the
 * package when it does not exist.
 */
export default async function pluginGenerator(tree: Tree, schema: PluginGeneratorSchema): Promise<void> {
  if (!isKnownKind(schema.kind)) {
    throw new Error(`plugin generator: unknown kind "${schema.kind}"; known: ${Object.keys(KINDS).join(', ')}`);
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
  const definition = joinPathFragments(root, 'src', n.kind, `${n.name}.ts`);
  if (tree.exists(definition)) throw new Error(`plugin generator: ${definition} already exists`);
  if (!tree.exists(joinPathFragments(root, 'package.json'))) {
    tree.write(joinPathFragments(root, 'package.json'), packageJson(n));
    tree.write(joinPathFragments(root, 'tsconfig.build.json'), buildTsconfig);
  }
  tree.write(definition, definitionFile(n));
  tree.write(joinPathFragments(root, 'test', `${n.name}.test.ts`), testFile(n));
  addToIndex(tree, joinPathFragments(root, 'src', 'index.ts'), n);
  addReadmeRow(tree, joinPathFragments(root, 'README.md'), n);
  tree.write(joinPathFragments('.changeset', `${n.pkg}-${n.name}.md`), changesetFile(n));
}

const buildTsconfig = JSON.stringify({ extends: '../../tsconfig.build.base.json', compilerOptions: { outDir: 'dist', rootDir: 'src' }, include: ['src'] }, null, 2) + '\n';

function addToIndex(tree: Tree, path: string, n: PluginNames): void {
  const importLine = `import { ${n.camel} } from './${n.kind}/${n.name}';`;
  const exportLine = `export { ${n.camel} } from './${n.kind}/${n.name}';`;
  const current = tree.read(path, 'utf-8');
  if (current === null) {
    tree.write(path, `${importLine}\n\n${exportLine}\n\nexport const plugins = [${n.camel}];\n`);
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
