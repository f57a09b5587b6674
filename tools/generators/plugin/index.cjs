// Nx loads generators as JavaScript: register tsx so the TypeScript generator runs without a build step.
require('tsx/cjs');
module.exports = require('./generator.ts');
