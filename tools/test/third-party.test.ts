import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeRun, installedPackages, installedRunCatalog, packagesFromModules, RunCatalog, type PackageSource } from '@tirl/core';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { train } from '@tirl/trainer';

// The example's sources, as its manifest presents them; tools/test/pack-install.test.ts installs its packed
// tarball into a clean project and trains through `tirl train`.
const example = join(__dirname, '..', '..', 'examples', 'third-party-plugin');
const manifest = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8'));

describe('a third-party package (examples/third-party-plugin)', () => {
  let scratch: string;
  beforeAll(() => (scratch = mkdtempSync(join(tmpdir(), 'tirl-third-party-'))));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('contributes a plugin, a method and a task, replaces the logger by token for one experiment, and trains a step', async () => {
    const mod = require(join(example, 'src'));
    const host = installedPackages();
    const own = packagesFromModules({ [manifest.name]: { manifest: manifest.tirl, exports: mod, version: manifest.version } });
    const loaded: string[] = [];
    const packages: PackageSource = {
      list: () => [...host.list(), ...own.list()],
      load: (pkg) => (loaded.push(pkg.name), pkg.nodeModules === '(memory)' ? own.load(pkg) : host.load(pkg)),
    };
    const catalog: RunCatalog = installedRunCatalog(packages);
    const recipe = composeRun(
      {
        method: 'brief-grpo',
        task: 'greeting',
        overrides: [{ plugins: [['reward/brevity', { target: 8, weight: 1 }]], settings: { seed: 1, steps: 1, groupSize: 2, promptsPerStep: 1, decode: { maxNewTokens: 6 }, limits: { maxTotalTokens: 96 }, optimizer: { lr: 0.01 } } }],
      },
      { catalog },
    );
    const tokenizer = new ByteTokenizer();
    const model = createTinyModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }, 5);
    const log = join(scratch, 'run.log');
    const dataset = [{ id: 'q', messages: [{ role: 'user' as const, content: 'Say hi.' }], answer: 'hi' }];
    const result = await train({ recipe, model, tokenizer, dataset, runDir: join(scratch, 'run'), packages, serviceOverrides: [['file-logger', { path: log }]] });
    model.dispose();
    expect(loaded).toContain('tirl-plugin-brevity');
    expect(result.history).toHaveLength(1);
    expect(Number.isFinite(result.history[0]['loss/total'])).toBe(true);
    expect(result.history[0]['reward/brevity']).toBeGreaterThanOrEqual(0);
    // The run's log lines went to the file, through the service that replaced Tokens.logger.
    expect(existsSync(log) && readFileSync(log, 'utf8')).toMatch(/brief-grpo.*: trained 1 steps; metrics in /);
  });
});
