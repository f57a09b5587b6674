import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, resolveRecipe } from '@tirl/core';
import { z } from 'zod';
import { train, writeReport } from '../src';
import { main } from '../src/cli/main';
import { dataset, newModel, testPlugins, testRecipe, tokenizer } from './task';

/** An objective whose loss is NaN on every token, to trip the non-finite guard. */
const nanObjective = definePlugin({
  kind: 'objective',
  name: 'always-nan',
  summary: 'Test objective: NaN on every token',
  options: z.object({}).strict(),
  create: () => ({ perToken: ({ logProbs }) => ({ perToken: tf.mul(logProbs, NaN) as tf.Tensor2D }) }),
});

describe('trainer guards', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tirl-guard-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('skips non-finite updates, leaves weights untouched, and stops after N in a row', async () => {
    const model = newModel();
    const before = model.namedWeights().get('lm_head.weight')!.dataSync().slice();
    const recipe = resolveRecipe(testRecipe, ['objective=always-nan', 'maxNonFiniteUpdates=2', 'steps=3'], { recipes: [] });
    const seen: Record<string, number>[] = [];
    await expect(
      train({ recipe, model, tokenizer, dataset, runDir: dir, plugins: [...testPlugins, nanObjective], progress: false, onStep: (_, m) => seen.push(m) }),
    ).rejects.toThrow('Stopping: 2 updates in a row had a non-finite loss or gradient');
    expect(seen).toHaveLength(1);
    expect(seen[0]['update/skipped_non_finite']).toBe(1);
    expect(seen[0]['update/count']).toBe(0);
    expect(Array.from(model.namedWeights().get('lm_head.weight')!.dataSync())).toEqual(Array.from(before));
    model.dispose();
  });

  it('trains a GAE recipe with a critic: finite policy and value losses', async () => {
    const model = newModel();
    const recipe = resolveRecipe(testRecipe, ['advantage=gae', 'steps=1'], { recipes: [] });
    const result = await train({ recipe, model, tokenizer, dataset, runDir: dir, plugins: testPlugins, progress: false });
    expect(Number.isFinite(result.history[0]['loss/total'])).toBe(true);
    expect(Number.isFinite(result.history[0]['loss/value'])).toBe(true);
    model.dispose();
  });

  it('writes PNG and HTML charts of a run', async () => {
    writeFileSync(join(dir, 'metrics.jsonl'), [0, 1, 2].map((s) => JSON.stringify({ step: s, 'reward/mean': s / 2, 'loss/total': 1 - s / 4 })).join('\n'));
    const files = await writeReport(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['report/reward_mean.png', 'report/loss_total.png', 'report/index.html']);
    expect(files.every(existsSync)).toBe(true);
  });
});

describe('tirl CLI errors', () => {
  it('rejects unknown flags and commands before doing any work', async () => {
    await expect(main(['train', '--bogus'])).rejects.toThrow("Unknown option '--bogus'");
    await expect(main(['trian'])).rejects.toThrow('Unknown command "trian".');
    await expect(main(['train', '--config', 'x.yaml'])).rejects.toThrow('tirl train needs --recipe');
  });

  it('names the field of a bad experiment file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tirl-cli-'));
    const file = join(dir, 'exp.yaml');
    writeFileSync(file, 'model:\n  path: a\n  tiny: {}\ndata:\n  train: t.jsonl\n  extra: 1\n');
    await expect(main(['train', '--recipe', 'grpo', '--config', file])).rejects.toThrow(
      `${file}: model: give exactly one of model.path or model.tiny; data.extra: unknown option`,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
