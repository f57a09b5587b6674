/** One jest run over every package: sources and tests are CommonJS TypeScript compiled by swc. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: false },
    },
    module: { type: 'commonjs' },
  },
];
// Suites that need a service the machine lacks are left out with a one-line reason; with
// TIRL_REQUIRE_SERVICES=1 (CI) they run and fail instead, so a missing service never passes silently.
const { spawnSync } = require('node:child_process');
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const serviceSuites = [
  { bin: 'redis-server', path: '/tools/test/scale-out/', install: 'apt-get install -y redis-server' },
  { bin: process.env.TIRL_CHROMIUM ?? 'chromium', path: '/tools/test/view/', install: 'apt-get install -y chromium' },
];
const missingServices = process.env.TIRL_REQUIRE_SERVICES === '1' ? [] : serviceSuites.filter((s) => !has(s.bin));
for (const s of missingServices) console.log(`skipping ${s.path}: ${s.bin} not found (${s.install})`);

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  transformIgnorePatterns: ['/node_modules/'],
  moduleNameMapper: {
    '^@tirl/core/testing$': '<rootDir>/packages/core/src/testing/index.ts',
    '^@tirl/([a-z0-9-]+)$': '<rootDir>/packages/$1/src/index.ts',
  },
  setupFiles: ['<rootDir>/jest.setup.ts'],
  testMatch: ['<rootDir>/{packages,apps,tools,examples}/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', ...missingServices.map((s) => s.path)],
  testTimeout: 60000,
};
