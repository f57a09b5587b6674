/** File contents the plugin generator writes; `camel` is the plugin name in camelCase. */
export interface PluginNames {
  pkg: string;
  kind: string;
  name: string;
  camel: string;
  summary: string;
  /** Methods an instance of this kind must have (KINDS[kind].methods). */
  methods: readonly string[];
}

export const definitionFile = (n: PluginNames) => `import { definePlugin } from '@tirl/core';
import { z } from 'zod';

/** ${n.summary}. */
export const ${n.camel} = definePlugin({
  kind: '${n.kind}',
  name: '${n.name}',
  summary: '${n.summary.replace(/'/g, "\\'")}',
  paper: { title: 'TODO: paper title', arxiv: '0000.00000', section: 'TODO' },
  options: z
    .object({
      /** Replace with the method's options; every optional field needs a .default(). */
      scale: z.number().positive().default(1),
    })
    .strict(),
  // Scaffold: every method of the kind exists and says it is not written yet. Replace with the method.
  create: (options) => ({
${n.methods.map((m) => `    ${m}: () => {\n      throw new Error(\`${n.kind}/${n.name}.${m} is not implemented (scale \${options.scale})\`);\n    },`).join('\n')}
  }),
});
`;

export const testFile = (n: PluginNames) => `import { describePlugin } from '@tirl/core/testing';
import { ${n.camel} } from '../src/${n.kind}/${n.name}';

describePlugin(${n.camel}, {
  valid: { scale: 2 },
  invalid: [{ options: { scale: -1 }, field: 'scale' }],
});
`;

export const readmeRow = (n: PluginNames) => `| \`${n.kind}/${n.name}\` | ${n.summary} | TODO | \`scale\` 1 |`;

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
      nx: { tags: ['type:plugin'] },
      exports: { '.': { 'tirl-source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
    },
    null,
    2,
  ) + '\n';
