import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defineMethod, nodeModulesPackages, resolveRecipe } from '@tirl/core';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { train } from '@tirl/trainer';

const example = join(__dirname, '..', '..', 'examples', 'third-party-plugin');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, stdio: 'pipe', encoding: 'utf8' });

describe('a third-party plugin package', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tirl-third-party-'));
    npm(['pack', '--pack-destination', scratch], example);
    const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true }));
    // Peers (@tirl/core, zod) come from the host below, not the registry: nothing is fetched.
    npm(['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', `./${tarball}`], scratch);
    mkdirSync(join(scratch, 'node_modules', '@tirl'), { recursive: true });
    symlinkSync(join(__dirname, '..', '..', 'packages', 'core'), join(scratch, 'node_modules', '@tirl', 'core'));
    symlinkSync(dirname(require.resolve('zod/package.json')), join(scratch, 'node_modules', 'zod'));
  }, 60000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('installs from its packed tarball and trains one step when a recipe names it by id', async () => {
    // The scratch project's node_modules, where the example is installed (the host's are searched too).
    const installed = nodeModulesPackages({ from: [scratch, process.cwd()] });
    const loaded: string[] = [];
    const packages = { list: installed.list, load: (pkg: Parameters<typeof installed.load>[0]) => (loaded.push(pkg.name), installed.load(pkg)) };
    const recipe = defineMethod({
      name: 'brief-grpo',
      extends: 'grpo',
      packages: ['tirl-plugin-brevity'],
      // A method carries no task: the tool format a task would bring is named here.
      plugins: [['reward/brevity', { target: 8, weight: 1 }], ['toolFormat/xml-tags', {}]],
      settings: { seed: 1, steps: 1, groupSize: 2, promptsPerStep: 1, decode: { maxNewTokens: 6 }, limits: { maxTurns: 1, maxTotalTokens: 96 }, optimizer: { lr: 0.01 } },
    });
    const resolved = resolveRecipe(recipe, ['regularizer/kl.coef=0']);
    const tokenizer = new ByteTokenizer();
    const model = createTinyModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }, 5);
    const runDir = join(scratch, 'run');
    const dataset = [{ id: 'q', messages: [{ role: 'user' as const, content: 'Say hi.' }], answer: 'hi' }];
    const result = await train({ recipe: resolved, model, tokenizer, dataset, runDir, packages, progress: false });
    model.dispose();
    expect(loaded).toContain('tirl-plugin-brevity');
    expect(result.history).toHaveLength(1);
    expect(Number.isFinite(result.history[0]['loss/total'])).toBe(true);
    expect(result.history[0]['reward/brevity']).toBeGreaterThanOrEqual(0);
  });
});
