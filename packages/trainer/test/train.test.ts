import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRecipe } from '@tirl/core';
import { latestCheckpoint, train } from '../src';
import { dataset, newModel, stable, testPlugins, testRecipe, tokenizer } from './task';

describe('train', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tirl-train-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a recipe end to end: finite loss, changed parameters, metrics and checkpoints on disk', async () => {
    const model = newModel();
    const before = model.namedWeights().get('model.layers.0.mlp.up_proj.weight')!.dataSync().slice();
    const recipe = resolveRecipe(testRecipe, ['steps=2'], { recipes: [] });
    const result = await train({ recipe, model, tokenizer, dataset, runDir: dir, plugins: testPlugins, progress: false });
    expect(result.steps).toBe(2);
    for (const m of result.history) {
      expect(Number.isFinite(m['loss/total'])).toBe(true);
      expect(m['update/count']).toBe(1);
      expect(m['batch/rows']).toBe(6);
    }
    const after = model.namedWeights().get('model.layers.0.mlp.up_proj.weight')!.dataSync();
    expect(after.some((x, i) => Math.abs(x - before[i]) > 1e-6)).toBe(true);
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).step)).toEqual([0, 1]);
    expect(latestCheckpoint(join(dir, 'checkpoints'))).toBe(join(dir, 'checkpoints', 'step-000002'));
    expect(JSON.parse(readFileSync(join(dir, 'recipe.json'), 'utf8'))).toEqual(recipe);
    model.dispose();
  });

  it('resumed from a checkpoint, reproduces the uninterrupted run from that step on', async () => {
    const recipe = resolveRecipe(testRecipe, undefined, { recipes: [] });
    const fullModel = newModel();
    const full = await train({ recipe, model: fullModel, tokenizer, dataset, runDir: join(dir, 'full'), plugins: testPlugins, progress: false });
    fullModel.dispose();

    const partRun = join(dir, 'part');
    const first = newModel();
    await train({ recipe: resolveRecipe(testRecipe, ['steps=1'], { recipes: [] }), model: first, tokenizer, dataset, runDir: partRun, plugins: testPlugins, progress: false });
    first.dispose();
    const resumedModel = newModel();
    const resumed = await train({ recipe, model: resumedModel, tokenizer, dataset, runDir: partRun, resume: true, plugins: testPlugins, progress: false });
    resumedModel.dispose();
    expect(resumed.history.map((m) => m.step)).toEqual([1, 2]);
    expect(stable(resumed.history)).toEqual(stable(full.history.slice(1)));
  }, 180_000); // two runs (full, then interrupted and resumed): over a minute on a loaded 2-core machine
});
