#!/usr/bin/env node
'use strict';
// An npm registry on 127.0.0.1 that serves, offline:
//  - the tarballs in TARBALL_DIR (the packed @tirl packages, a third-party plugin, ...), as published;
//  - every other package at the versions installed in the monorepo (from package-lock.json), packed on
//    request from node_modules.
// A project pointed at it (`--registry URL`) installs exactly as from npmjs.org: npm resolves the declared
// dependencies of what it installs, so a dependency a package forgot to declare is missing there too. A
// package or version the monorepo lacks is a 404 that names it, never a hang or a trip to the internet.
// Usage: node tools/pack/local-registry.cjs TARBALL_DIR   (prints "registry http://127.0.0.1:PORT/")
const { spawn, execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { createReadStream, existsSync, readFileSync, readdirSync } = require('node:fs');
const { createServer } = require('node:http');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');

/** name → version → { dir?: node_modules folder, tarball?: file, manifest: package.json }. */
function catalog(tarballDir) {
  const packages = new Map();
  const put = (name, version, entry) => {
    if (!packages.has(name)) packages.set(name, new Map());
    packages.get(name).set(version, entry);
  };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  for (const [path, info] of Object.entries(lock.packages ?? {})) {
    if (!path.includes('node_modules/') || info.link || !info.version) continue;
    const dir = join(ROOT, path);
    if (!existsSync(join(dir, 'package.json'))) continue; // optional packages for other platforms
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    put(manifest.name, manifest.version, { dir, manifest });
  }
  for (const file of readdirSync(tarballDir).filter((f) => f.endsWith('.tgz'))) {
    const tarball = join(tarballDir, file);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    packages.delete(manifest.name); // a packed tarball replaces the workspace link of the same name
    put(manifest.name, manifest.version, { tarball, manifest });
  }
  return packages;
}

/** The packument npm reads: every version's manifest, with a tarball URL on this server. */
function packument(name, versions, base) {
  const out = { name, 'dist-tags': {}, versions: {} };
  let latest;
  for (const [version, entry] of versions) {
    const m = entry.manifest;
    const keep = ['name', 'version', 'main', 'bin', 'types', 'exports', 'dependencies', 'peerDependencies', 'peerDependenciesMeta', 'optionalDependencies', 'engines', 'os', 'cpu', 'license'];
    const manifest = Object.fromEntries(keep.filter((k) => m[k] !== undefined).map((k) => [k, m[k]]));
    if (m.scripts && ['preinstall', 'install', 'postinstall'].some((s) => m.scripts[s])) manifest.hasInstallScript = true;
    manifest.dist = { tarball: `${base}${encodeURIComponent(name)}/-/${encodeURIComponent(version)}.tgz` };
    if (entry.tarball) manifest.dist.integrity = `sha512-${createHash('sha512').update(readFileSync(entry.tarball)).digest('base64')}`;
    out.versions[version] = manifest;
    if (!latest || newer(version, latest)) latest = version;
  }
  out['dist-tags'].latest = latest;
  return out;
}

function newer(a, b) {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] > pb[i];
  return false;
}

function notFound(res, what) {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: `${what} is not installed in the monorepo (${ROOT}): declare it in a package and run npm install there` }));
}

function serve(tarballDir) {
  const packages = catalog(tarballDir);
  const server = createServer((req, res) => {
    const base = `http://127.0.0.1:${server.address().port}/`;
    const path = decodeURIComponent(new URL(req.url, base).pathname.slice(1));
    const tarball = path.match(/^(.+)\/-\/(.+)\.tgz$/);
    if (tarball) {
      const entry = packages.get(tarball[1])?.get(tarball[2]);
      if (!entry) return notFound(res, `${tarball[1]}@${tarball[2]}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      if (entry.tarball) return createReadStream(entry.tarball).pipe(res);
      // npm strips the first path component of every entry; its own tarballs call it "package".
      const tar = spawn('tar', ['-cz', '-C', entry.dir, '--exclude=./node_modules', '--transform', 's,^\\.,package,', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      tar.stdout.pipe(res);
      return undefined;
    }
    const versions = packages.get(path);
    if (!versions) return notFound(res, path);
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(packument(path, versions, base)));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

module.exports = { serve };

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir || !existsSync(dir)) {
    console.error('Usage: node tools/pack/local-registry.cjs TARBALL_DIR');
    process.exit(2);
  }
  serve(dir).then((server) => console.log(`registry http://127.0.0.1:${server.address().port}/`));
}
