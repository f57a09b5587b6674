#!/usr/bin/env node
'use strict';
// Builds every package's dist with ONE TypeScript program (the same compiler options as each package's
// tsconfig.build.json; a program per package, in dependency order, is what makes `nx build` slow) into a
// scratch copy of the package, then runs `npm pack` there, so the real prepack/postpack hooks write the
// published package.json. Nothing is written into the packages themselves and nothing is cached.
// Usage: node tools/pack/build-tarballs.cjs OUT_DIR [folder ...]   (folders relative to the repository,
// e.g. packages/core examples/third-party-plugin; none: every package under packages/)
const { spawn, execFileSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const TSC = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
/** What every package's build script starts with; the rest of the script (copying assets) runs as is. */
const BUILD_PREFIX = 'tsc -p tsconfig.build.json';

/** Every package folder, relative to the repository: packages/<name>. */
function allPackages() {
  return readdirSync(join(ROOT, 'packages'))
    .filter((p) => existsSync(join(ROOT, 'packages', p, 'package.json')))
    .map((p) => `packages/${p}`);
}

/** Runs a command; resolves with its output, rejects with the command and the output's tail. */
function run(cmd, args, { cwd, timeoutMs = 600_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd ?? process.cwd()}) ${signal ? `was killed after ${timeoutMs / 1000} s` : `exited ${code}`}:\n${out.slice(-4000)}`));
    });
  });
}

/** Emits JS, maps and declarations of the given folders' sources with one program; returns the emit folder. */
async function emit(dirs, work) {
  const out = join(work, 'emit');
  const config = {
    extends: join(ROOT, 'tsconfig.build.base.json'),
    compilerOptions: {
      rootDir: ROOT,
      outDir: out,
      baseUrl: ROOT,
      // Each package's own build resolves its siblings through their dist; one program resolves their sources.
      paths: { '@tirl/core/testing': ['packages/core/src/testing/index.ts'], '@tirl/*': ['packages/*/src/index.ts'] },
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      types: ['node', 'jest'],
    },
    include: dirs.map((d) => join(ROOT, d, 'src')),
    exclude: dirs.flatMap((d) => [join(ROOT, d, 'src', '**', '*.test.ts'), join(ROOT, d, 'src', '**', '__tests__', '**')]),
  };
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(config, null, 2));
  await run(process.execPath, [TSC, '-p', join(work, 'tsconfig.json')], { cwd: ROOT });
  return out;
}

/** Source maps as the package's own build writes them: sources relative to the map, in ../src. */
function relocateMaps(distRoot, srcRoot, dir = distRoot) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) relocateMaps(distRoot, srcRoot, file);
    else if (entry.name.endsWith('.map')) {
      const map = JSON.parse(readFileSync(file, 'utf8'));
      const sourceDir = join(srcRoot, relative(distRoot, dir));
      map.sources = map.sources.map((s) => relative(dir, join(sourceDir, s.split('/').pop())));
      writeFileSync(file, JSON.stringify(map));
    }
  }
}

/** A scratch copy of a package (its files that git does not ignore) with the emitted dist and the rest of its build script. */
async function stage(folder, emitted, work) {
  const source = join(ROOT, folder);
  const dir = join(work, folder);
  const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '.'], { cwd: source, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(source, f)));
  for (const f of tracked) {
    if (f.startsWith('test/') || f.startsWith('bench/')) continue;
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(source, f), join(dir, f));
  }
  const built = join(emitted, folder, 'src');
  cpSync(built, join(dir, 'dist'), { recursive: true });
  relocateMaps(join(dir, 'dist'), join(dir, 'src'));
  const build = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).scripts?.build ?? '';
  if (!build.startsWith(BUILD_PREFIX)) {
    throw new Error(`${folder}: its build script "${build}" does not start with "${BUILD_PREFIX}"; teach tools/pack/build-tarballs.cjs how to build it`);
  }
  const rest = build.slice(BUILD_PREFIX.length).replace(/^\s*&&\s*/, '');
  if (rest) await run('sh', ['-c', rest], { cwd: dir });
  return dir;
}

/**
 * Builds and packs the package folders into OUT_DIR/*.tgz; returns { folder: tarball path }. `log` gets one line
 * per stage. The scratch copies live in OUT_DIR/.build and are removed at the end.
 */
async function buildTarballs(outDir, folders = allPackages(), log = () => {}) {
  const work = join(outDir, '.build');
  rmSync(work, { recursive: true, force: true });
  let t = Date.now();
  const emitted = await emit(folders, work);
  log(`compiled ${folders.length} packages with one TypeScript program in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  // The packages' prepack hooks are `node ../../tools/pack/prepack.cjs`: the scratch tree mirrors that path.
  mkdirSync(join(work, 'tools'), { recursive: true });
  symlinkSync(__dirname, join(work, 'tools', 'pack'));
  t = Date.now();
  const tarballs = {};
  const queue = [...folders];
  const worker = async () => {
    for (let folder = queue.shift(); folder; folder = queue.shift()) {
      const dir = await stage(folder, emitted, work);
      const name = (await run('npm', ['pack', '--silent', '--pack-destination', outDir], { cwd: dir })).trim().split('\n').pop();
      tarballs[folder] = join(outDir, name);
    }
  };
  await Promise.all([worker(), worker()]);
  log(`packed ${folders.length} tarballs in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  rmSync(work, { recursive: true, force: true });
  return tarballs;
}

module.exports = { buildTarballs, allPackages, run };

if (require.main === module) {
  const [outDir, ...folders] = process.argv.slice(2);
  if (!outDir) {
    console.error('Usage: node tools/pack/build-tarballs.cjs OUT_DIR [folder ...]');
    process.exit(2);
  }
  buildTarballs(outDir, folders.length ? folders : undefined, (m) => console.log(m)).then(
    (t) => console.log(Object.values(t).join('\n')),
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
