import { definitionFile, KIND_TEMPLATES, testFile, type PluginNames as FileNames } from '@tirl/create-plugin';

/** Definition and test come from @tirl/create-plugin, which scaffolds the same files outside the monorepo. */
export { definitionFile, testFile };

/** File contents the plugin generator writes; `camel` is the plugin name in camelCase. */
export interface PluginNames extends FileNames {
  pkg: string;
  /** Methods an instance of this kind must have (KINDS[kind].methods). */
  methods: readonly string[];
}

export const readmeRow = (n: PluginNames) => `| \`${n.kind}/${n.name}\` | ${n.summary} | TODO | ${KIND_TEMPLATES[n.kind].readmeOptions} |`;

export const readmeFile = (n: PluginNames) => `# @tirl/${n.pkg}

| id | summary | paper | key options (defaults) |
|---|---|---|---|
${readmeRow(n)}
`;

export const changesetFile = (n: PluginNames) => `---
"@tirl/${n.pkg}": minor
---

Adds ${n.kind}/${n.name}: ${n.summary}.
`;

export const packageJson = (n: PluginNames) =>
  JSON.stringify(
    {
      name: `@tirl/${n.pkg}`,
      version: '0.1.0',
      license: 'Apache-2.0',
      main: 'dist/index.js',
      types: 'dist/index.d.ts',
      files: ['dist', 'README.md'],
      scripts: { build: 'tsc -p tsconfig.build.json' },
      dependencies: { '@tirl/core': '^0.1.0', zod: '^4.0.0' },
      peerDependencies: { '@tensorflow/tfjs-core': '^4.22.0' },
      nx: { tags: ['type:plugin'] },
      exports: { '.': { 'tirl-source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
    },
    null,
    2,
  ) + '\n';
