import { KIND_TEMPLATES } from './kind-templates';
import type { PluginNames } from './plugin-files';

/**
 * Versions a scaffolded package builds and tests with: the ones tirl itself is built and tested with
 * (a test keeps them equal to the monorepo's).
 */
export const TOOL_VERSIONS = {
  typescript: '~5.9.3',
  jest: '^30.5.2',
  '@swc/jest': '^0.2.39',
  '@swc/core': '1.16.18',
  '@types/jest': '^30.0.0',
  '@types/node': '^20.19.0',
} as const;

/** Ranges of what a plugin package shares with its host: peers, so there is one copy of each. */
export const HOST_VERSIONS = {
  '@tirl/core': '^0.1.0',
  zod: '^4.6.7',
  '@tensorflow/tfjs-core': '^4.22.0',
  tsyringe: '^4.10.0',
} as const;

export interface PackageNames extends PluginNames {
  /** npm name of the package, e.g. `tirl-plugin-brevity` or `@me/tirl-brevity`. */
  packageName: string;
  /** `src/` sub-folder of the definition. */
  folder: string;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Every file of a new plugin package, by path relative to its folder. */
export function packageFiles(n: PackageNames): Record<string, string> {
  const usesTensors = KIND_TEMPLATES[n.kind].imports?.includes('@tensorflow/tfjs-core') === true;
  const peers: Record<string, string> = { '@tirl/core': HOST_VERSIONS['@tirl/core'], zod: HOST_VERSIONS.zod };
  if (usesTensors) peers['@tensorflow/tfjs-core'] = HOST_VERSIONS['@tensorflow/tfjs-core'];
  const compilerOptions = {
    target: 'ES2022',
    module: 'commonjs',
    moduleResolution: 'node10',
    lib: ['ES2023'],
    // No ambient types in the build: a plugin that imports node:fs gets @types/node (a devDependency) from the import.
    types: [] as string[],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    declaration: true,
    sourceMap: true,
    inlineSources: true,
    outDir: 'dist',
    rootDir: 'src',
  };
  return {
    'package.json': json({
      name: n.packageName,
      version: '0.1.0',
      description: `tirl plugin ${n.kind}/${n.name}: ${n.summary}`,
      license: 'Apache-2.0',
      keywords: ['tirl', 'tirl-plugin'],
      main: 'dist/index.js',
      types: 'dist/index.d.ts',
      files: ['dist', 'README.md'],
      scripts: { build: 'tsc -p tsconfig.build.json', test: 'jest', typecheck: 'tsc -p tsconfig.json', prepublishOnly: 'npm run build && npm test' },
      peerDependencies: peers,
      devDependencies: { ...HOST_VERSIONS, ...TOOL_VERSIONS },
      // What the package provides: discovery reads this, so `tirl plugins` lists the plugin once it is installed.
      tirl: { plugins: [`${n.kind}/${n.name}`] },
    }),
    'tsconfig.build.json': json({ compilerOptions, include: ['src'] }),
    'tsconfig.json': json({ extends: './tsconfig.build.json', compilerOptions: { noEmit: true, rootDir: '.', types: ['node', 'jest'] }, include: ['src', 'test'] }),
    'jest.config.js': `/** Tests are TypeScript compiled by swc; type-check them with \`npm run typecheck\`. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
};
`,
    '.gitignore': 'node_modules/\ndist/\n*.tgz\n',
    'src/index.ts': `import type { AnyPluginDefinition } from '@tirl/core';
import { ${n.camel} } from './${n.folder}/${n.name}';

export { ${n.camel} };

/** Every plugin of the package, as its manifest (\`tirl.plugins\` in package.json) lists them. Importing registers nothing. */
export const plugins: readonly AnyPluginDefinition[] = [${n.camel}];
`,
    'README.md': `# ${n.packageName}

A [tirl](https://www.npmjs.com/package/@tirl/core) plugin package.

| id | summary | paper | key options (defaults) |
|---|---|---|---|
| \`${n.kind}/${n.name}\` | ${n.summary} | TODO | ${KIND_TEMPLATES[n.kind].readmeOptions} |

## Develop

\`\`\`sh
npm install
npm test          # the ${n.kind} kit of @tirl/core/testing, plus your fixture tables
npm run build     # dist/ with declarations
npm pack          # ${n.packageName.replace(/^@/, '').replace('/', '-')}-0.1.0.tgz
\`\`\`

## Use

Install it next to \`@tirl/core\` and the trainer; \`npx tirl plugins\` lists \`${n.kind}/${n.name}\`. Name it in an
experiment file to add it to a run:

\`\`\`json
{ "packages": ["${n.packageName}"], "plugins": [["${n.kind}/${n.name}", {}]] }
\`\`\`
`,
  };
}
