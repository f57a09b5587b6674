// Builds the native GEMM addon. A failed build never fails the install:
// tirl then falls back to the stock wasm kernels and says so once at start.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const root = path.join(__dirname, '..');
if (!fs.existsSync(path.join(root, 'binding.gyp'))) process.exit(0);
let gyp;
try { gyp = require.resolve('node-gyp/bin/node-gyp.js'); } catch { gyp = null; }
const args = gyp ? [gyp, 'rebuild'] : [require.resolve('npm/node_modules/node-gyp/bin/node-gyp.js'), 'rebuild'];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0) console.warn('@tirl/backend-native: native build failed; tirl will use the stock wasm kernels.');
process.exit(0);
