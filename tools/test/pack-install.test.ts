import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanProject, progress, run, startRegistry, type RunResult } from './pack/clean-project';

/*
 * A user's first hour, on every change: every package is built and packed as it would be published; a new
 * project installs, from a registry on 127.0.0.1 that serves those tarballs and the monorepo's installed
 * dependencies (tools/pack/local-registry.cjs: offline, nothing from the internet), only what GRPO needs,
 * and uses it through the CLI, the documented API and TypeScript; then a third-party package and a
 * freshly scaffolded one are installed from their tarballs and trained with.
 */

const root = join(__dirname, '..', '..');
const { buildTarballs, allPackages } = require('../pack/build-tarballs.cjs') as {
  buildTarballs: (out: string, folders: string[], log: (m: string) => void) => Promise<Record<string, string>>;
  allPackages: () => string[];
};
const TSC = require.resolve('typescript/bin/tsc');
const EXAMPLE = 'examples/third-party-plugin';
const MINUTE = 60_000;
/** Each step starts Node a few times and may train: minutes on a loaded 2-core machine. */
const STEP_TIMEOUT = 10 * MINUTE;

/** What a user types before knowing what GRPO needs: the trainer and the recipes. */
const FIRST_INSTALL = ['@tirl/core', '@tirl/policy', '@tirl/trainer', '@tirl/recipes'];

const tinyModel = { hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1, seed: 0 };
const experiment = (runDir: string, extra: Record<string, unknown> = {}, steps = 2) => ({
  model: { tiny: tinyModel },
  data: { train: 'train.jsonl' },
  runDir,
  settings: { steps, groupSize: 2, promptsPerStep: 1, decode: { maxNewTokens: 4 }, limits: { maxTurns: 1, maxTotalTokens: 96 } },
  ...extra,
});

const metricLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, number>);

describe('the packed packages, installed into a clean project', () => {
  let work: string;
  let tarballs: Record<string, string>;
  let registry: ChildProcess | undefined;
  let project: { dir: string; env: NodeJS.ProcessEnv };
  const footprint: Record<string, number> = {};

  const sh = (cmd: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> =>
    run(cmd, args, { cwd: options.cwd ?? project.dir, env: project.env, timeoutMs: options.timeoutMs ?? 5 * MINUTE });
  const tirl = (...args: string[]) => sh(join(project.dir, 'node_modules', '.bin', 'tirl'), args);
  const npmInstall = async (specs: string[], cwd?: string) => {
    const r = await sh('npm', ['install', '--no-audit', '--no-fund', ...specs], { cwd, timeoutMs: 10 * MINUTE });
    progress(`npm install ${specs.map((s) => s.split('/').pop()).join(' ')}: ${r.seconds.toFixed(1)} s`);
    return r;
  };
  const installed = () => (existsSync(join(project.dir, 'node_modules')) ? readdirSync(join(project.dir, 'node_modules', '@tirl')).map((n) => `@tirl/${n}`).sort() : []);

  beforeAll(async () => {
    progress.start = Date.now();
    work = mkdtempSync(join(tmpdir(), 'tirl-pack-install-'));
    progress(`building and packing ${allPackages().length} packages and ${EXAMPLE} into ${work}`);
    tarballs = await buildTarballs(join(work, 'tgz'), [...allPackages(), EXAMPLE], (m) => progress(m));
    const started = await startRegistry(join(root, 'tools', 'pack', 'local-registry.cjs'), join(work, 'tgz'));
    registry = started.child;
    project = cleanProject(join(work, 'project'), started.url);
    progress(`registry ${started.url}; project ${project.dir}`);
    writeFileSync(join(project.dir, 'train.jsonl'), `${JSON.stringify({ id: 'q1', messages: [{ role: 'user', content: 'Say hi.' }], answer: 'hi' })}\n`);
  }, 30 * MINUTE);

  afterAll(() => {
    registry?.kill();
    if (work) rmSync(work, { recursive: true, force: true });
    progress(`footprint of the GRPO set: ${JSON.stringify(footprint)}`);
  }, STEP_TIMEOUT);

  it('installs the trainer, asks it what GRPO needs, and installs exactly that line', async () => {
    const first = await npmInstall(FIRST_INSTALL);
    const line = (await tirl('recipes', 'grpo', '--packages')).stdout.trim();
    expect(line).toMatch(/^npm install (@tirl\/[a-z-]+ ?)+$/);
    const needed = line.replace(/^npm install /, '').split(' ');
    expect(needed).toEqual(expect.arrayContaining([...FIRST_INSTALL, '@tirl/advantage', '@tirl/clipping', '@tirl/rewards']));
    const second = await npmInstall(needed);
    // Only the printed packages: no plugin package GRPO does not use came along.
    expect(installed()).toEqual([...needed].sort());
    const modules = join(project.dir, 'node_modules');
    const du = await sh('du', ['-sm', modules]);
    const ls = await sh('npm', ['ls', '--all', '--parseable']);
    Object.assign(footprint, {
      tirlPackages: needed.length,
      packages: ls.stdout.trim().split('\n').length - 1,
      megabytes: Number(du.stdout.split('\t')[0]),
      installSeconds: Math.round(first.seconds + second.seconds),
    });
    progress(`GRPO set installed: ${JSON.stringify(footprint)}`);
  }, 20 * MINUTE);

  it('loads with a plain require (reflect-metadata comes with core)', async () => {
    const r = await sh(process.execPath, ['-e', "require('@tirl/core'); require('@tirl/trainer'); console.log('required')"]);
    expect(r.stdout.trim()).toBe('required');
  }, STEP_TIMEOUT);

  it('runs `npx tirl --help`', async () => {
    const r = await sh('npx', ['tirl', '--help']);
    expect(r.stdout).toMatch(/^tirl — tool-integrated RL/);
    expect(r.stdout).toContain('tirl train');
  }, STEP_TIMEOUT);

  it('lists the installed plugins with their packages, and prints the GRPO method', async () => {
    const plugins = (await tirl('plugins')).stdout;
    expect(plugins).toMatch(/advantage\/grpo\s+@tirl\/advantage/);
    expect(plugins).toMatch(/objective\/ppo-clip\s+@tirl\/clipping/);
    expect(plugins).not.toContain('not loaded');
    const method = (await tirl('recipes', 'grpo')).stdout;
    expect(method).toContain('advantage/grpo');
    const resolved = JSON.parse(method.slice(method.indexOf('\n{') + 1)) as { name: string; chain: string[] };
    expect(resolved.chain).toContain('grpo');
  }, STEP_TIMEOUT);

  it('trains two steps through the CLI', async () => {
    writeFileSync(join(project.dir, 'exp.json'), JSON.stringify(experiment('runs/cli')));
    const r = await tirl('train', '--recipe', 'grpo', '--config', 'exp.json');
    expect(r.stdout).toContain('grpo: trained 2 steps');
    const lines = metricLines(join(project.dir, 'runs', 'cli', 'metrics.jsonl'));
    expect(lines).toHaveLength(2);
    expect(lines.every((m) => Number.isFinite(m['loss/total']))).toBe(true);
  }, STEP_TIMEOUT);

  it("trains two steps through the API snippet of the trainer's README, as shipped in the package", async () => {
    const readme = readFileSync(join(project.dir, 'node_modules', '@tirl', 'trainer', 'README.md'), 'utf8');
    const snippet = /<!-- executed-snippet: api -->\n```js\n([\s\S]*?)\n```/.exec(readme)?.[1];
    if (!snippet) throw new Error('the trainer README has no block marked <!-- executed-snippet: api --> followed by ```js');
    // The shipped README is the repository's, unchanged.
    expect(readme).toBe(readFileSync(join(root, 'packages', 'trainer', 'README.md'), 'utf8'));
    writeFileSync(join(project.dir, 'api.js'), snippet);
    const r = await sh(process.execPath, ['api.js']);
    expect(r.stdout).toContain('trained 2 steps');
    expect(metricLines(join(project.dir, 'runs', 'api', 'metrics.jsonl'))).toHaveLength(2);
  }, STEP_TIMEOUT);

  it("type-checks a TypeScript consumer against the installed packages' declarations", async () => {
    writeFileSync(join(project.dir, 'consumer.ts'), CONSUMER);
    for (const moduleResolution of ['node10', 'node16']) {
      const config = {
        compilerOptions: { target: 'ES2022', module: moduleResolution === 'node16' ? 'node16' : 'commonjs', moduleResolution, strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['ES2023'] },
        files: ['consumer.ts'],
      };
      writeFileSync(join(project.dir, `tsconfig.${moduleResolution}.json`), JSON.stringify(config));
      await sh(process.execPath, [TSC, '-p', `tsconfig.${moduleResolution}.json`]);
    }
  }, STEP_TIMEOUT);

  it('installs a third-party package from its tarball that adds a plugin, a method, a task and a service, and trains with them through `tirl train`', async () => {
    await npmInstall([tarballs[EXAMPLE]]);
    expect((await tirl('plugins')).stdout).toMatch(/reward\/brevity\s+tirl-plugin-brevity/);
    const listing = (await tirl('recipes')).stdout;
    expect(listing).toMatch(/^ {2}brief-grpo /m);
    expect(listing).toMatch(/^ {2}greeting /m);
    const file = experiment('runs/brevity', { services: [['file-logger', { path: 'brevity.log' }]] }, 1);
    writeFileSync(join(project.dir, 'exp-brevity.json'), JSON.stringify(file));
    const r = await tirl('train', '--method', 'brief-grpo', '--task', 'greeting', '--config', 'exp-brevity.json');
    // The composed run: GRPO's advantage, the package's reward, the task's correctness reward.
    expect(r.stdout).toMatch(/reward\/brevity/);
    expect(r.stdout).toMatch(/reward\/exact-match/);
    const [metrics] = metricLines(join(project.dir, 'runs', 'brevity', 'metrics.jsonl'));
    expect(Number.isFinite(metrics['reward/brevity'])).toBe(true);
    expect(Number.isFinite(metrics['loss/total'])).toBe(true);
    // The package's service replaced the logger (Tokens.logger) for this experiment: the line went to the file, not the console.
    expect(readFileSync(join(project.dir, 'brevity.log'), 'utf8')).toMatch(/brief-grpo.*: trained 1 steps/);
    expect(r.stdout).not.toContain('trained 1 steps');
    // Core is the published one: it names no third-party package.
    const core = await sh('grep', ['-rlE', 'brevity|brief-grpo|file-logger', join(project.dir, 'node_modules', '@tirl', 'core', 'dist')]).catch((e: Error) => e);
    expect(core).toBeInstanceOf(Error); // grep exits 1: no match
  }, 15 * MINUTE);

  it('scaffolds a plugin package with `npm create @tirl/plugin`, builds, packs and installs it; tirl lists it and trains when the experiment file names it', async () => {
    await sh('npm', ['create', '--yes', '@tirl/plugin', '--', 'tirl-plugin-finish', '--kind', 'reward', '--name', 'finish', '--summary', 'One for a rollout that finished on its own'], { timeoutMs: 5 * MINUTE });
    const pkgDir = join(project.dir, 'tirl-plugin-finish');
    // Its own `npm install` would fetch TypeScript and jest for the package's tests (the monorepo runs the
    // scaffold's kit test itself, in tools/test/create-plugin.test.ts); the build uses the same compiler.
    await sh(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: pkgDir });
    const packed = (await sh('npm', ['pack', '--silent'], { cwd: pkgDir })).stdout.trim().split('\n').pop()!;
    await npmInstall([join(pkgDir, packed)]);
    expect((await tirl('plugins')).stdout).toMatch(/reward\/finish\s+tirl-plugin-finish\s+One for a rollout that finished on its own/);
    writeFileSync(join(project.dir, 'exp-finish.json'), JSON.stringify(experiment('runs/finish', { packages: ['tirl-plugin-finish'], plugins: [['reward/finish', { score: 0.5 }]] }, 1)));
    const r = await tirl('train', '--recipe', 'grpo', '--config', 'exp-finish.json');
    expect(r.stdout).toContain('reward/finish');
    const [metrics] = metricLines(join(project.dir, 'runs', 'finish', 'metrics.jsonl'));
    expect(Number.isFinite(metrics['reward/finish'])).toBe(true);
  }, 15 * MINUTE);
});

/** A TypeScript user's file: real types (an @ts-expect-error that the declarations must make necessary), the testing entry, plugin definitions. */
const CONSUMER = `import { composeRun, definePlugin, initBackend, Tokens, type Logger, type ResolvedRun } from '@tirl/core';
import { runRewardKit } from '@tirl/core/testing';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { parseTrainerSettings, train, type TrainResult } from '@tirl/trainer';
import { z } from 'zod';

export const constant = definePlugin({
  kind: 'reward',
  name: 'constant',
  summary: 'The same score for every rollout',
  options: z.object({ value: z.number().default(1) }).strict(),
  create: (o) => ({ score: ({ trajectories }) => ({ scores: trajectories.map(() => o.value) }) }),
});

export async function main(): Promise<TrainResult> {
  await initBackend();
  const recipe: ResolvedRun = composeRun({ method: 'grpo', overrides: [['steps=1']] });
  const tokenizer = new ByteTokenizer();
  const model = createTinyModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }, 0);
  return train({ recipe, model, tokenizer, dataset: [{ id: 'q', messages: [{ role: 'user', content: 'hi' }], answer: 'hi' }], runDir: 'runs/ts', plugins: [constant] });
}

export const kit: typeof runRewardKit = runRewardKit;
export const logger: Logger = { info: () => undefined, warn: () => undefined };
export const loggerToken = Tokens.logger;
const settings = parseTrainerSettings({ steps: 2 });
export const steps: number = settings.steps;
// @ts-expect-error steps is a number: the declarations are real, not any
export const wrong: string = settings.steps;
`;
