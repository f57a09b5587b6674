import { KIND_TEMPLATES } from './kind-templates';

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

export const definitionFile = (n: PluginNames) => {
  const t = KIND_TEMPLATES[n.kind];
  return `${t.imports ? `${t.imports}\n` : ''}import { definePlugin } from '@tirl/core';
import { z } from 'zod';

/**
 * ${n.summary}.
 * Scaffold: the smallest correct ${n.kind} plugin, which passes its kind's kit. Replace the body with the
 * method, the paper with its provenance, and the options with the method's (each with a default).
 */
export const ${n.camel} = definePlugin({
  kind: '${n.kind}',
  name: '${n.name}',
  summary: '${n.summary.replace(/'/g, "\\'")}',
  paper: { title: 'TODO: paper title', arxiv: '0000.00000', section: 'TODO' },
  options: z
    .object({
      ${t.options}
    })
    .strict(),
  create: ${t.create},
});
`;
};

/** The plugin's test: its kind's behavioural kit from `@tirl/core/testing` (add fixture tables with hand-derived numbers). */
export const testFile = (n: PluginNames, importPath: string) => {
  const t = KIND_TEMPLATES[n.kind];
  return `import { ${t.kit} } from '@tirl/core/testing';
import { ${n.camel} } from '${importPath}';

${t.kit}(${n.camel}, {
  valid: ${t.valid},
  invalid: ${t.invalid},
${t.kitExtra ? `${t.kitExtra}\n` : ''}});
`;
};

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
