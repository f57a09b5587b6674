#!/usr/bin/env node
'use strict';
// Runs before `npm pack` / `npm publish` in a package folder: checks the tarball will be complete and
// writes the published package.json (no workspace-only fields); postpack.cjs puts the original back.
const { existsSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { publishedManifest } = require('./published-manifest.cjs');

const dir = process.cwd();
const file = join(dir, 'package.json');
const backup = join(dir, '.package.json.before-pack');
if (existsSync(backup)) {
  console.error(`${backup} exists: a previous pack did not finish. Restore it with: node ${join(__dirname, 'postpack.cjs')}`);
  process.exit(1);
}
const original = readFileSync(file, 'utf8');
const pkg = JSON.parse(original);
const problems = [];
for (const needed of ['README.md', 'LICENSE']) if (!existsSync(join(dir, needed))) problems.push(`${needed} is missing`);
for (const entry of [pkg.main, pkg.types].filter(Boolean)) {
  if (!existsSync(join(dir, entry))) problems.push(`${entry} is missing: run "npm run build" in ${dir} first`);
}
if (problems.length) {
  console.error(`${pkg.name} cannot be packed: ${problems.join('; ')}`);
  process.exit(1);
}
renameSync(file, backup);
writeFileSync(file, JSON.stringify(publishedManifest(pkg), null, 2) + '\n');
