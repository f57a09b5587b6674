// Builds the native GEMM addon. A failed build never fails the install:
// tirl then falls back to the stock wasm kernels and says so once at start.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
if (!fs.existsSync(path.join(root, 'binding.gyp'))) process.exit(0);

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    (() => { try { return require.resolve('node-gyp/bin/node-gyp.js'); } catch { return undefined; } })(),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && fs.existsSync(c));
}

// Use the headers installed next to this node (e.g. /usr/include/node) so no download is needed.
function localNodeDir() {
  const prefix = (process.config.variables || {}).node_prefix;
  const dirs = [prefix, path.join(path.dirname(process.execPath), '..')].filter(Boolean);
  return dirs.find((d) => fs.existsSync(path.join(d, 'include', 'node', 'node_api.h')));
}

try {
  const gyp = findNodeGyp();
  if (!gyp) {
    console.warn('@tirl/backend-native: node-gyp not found; tirl will use the stock wasm kernels.');
    process.exit(0);
  }
  const nodedir = process.env.npm_config_nodedir || localNodeDir();
  const args = [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) console.warn('@tirl/backend-native: native build failed; tirl will use the stock wasm kernels.');
} catch (e) {
  console.warn(`@tirl/backend-native: native build skipped (${e && e.message}); tirl will use the stock wasm kernels.`);
}
process.exit(0);
