const nx = require('@nx/eslint-plugin');
const tseslint = require('typescript-eslint');

/** Dependency rules of ARCHITECTURE.md, enforced on every import between workspace packages. */
const depConstraints = [
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:plugin', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:policy', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:trainer', onlyDependOnLibsWithTags: ['scope:core', 'scope:policy'] },
  { sourceTag: 'type:backend', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['*'] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['*'] },
];

module.exports = [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/build/**', '.nx/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints, enforceBuildableLibDependency: false }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },
  {
    // A computed require hides a dependency from the boundary rule above. Packages found through their
    // manifests are loaded by the one audited loader in core (packages/installed.ts); native binaries are
    // loaded by path where they are built (backend-native's addon, backend-webgpu's Dawn).
    files: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
    ignores: ['packages/core/src/packages/installed.ts', 'packages/backend-native/src/addon.ts', 'packages/backend-webgpu/src/dawn.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='require'][arguments.0.type!='Literal']",
          message: 'require() takes a literal name; load a discovered package with loadInstalledPackage from @tirl/core.',
        },
      ],
    },
  },
];
