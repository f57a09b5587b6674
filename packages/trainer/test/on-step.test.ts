import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRecipe } from '@tirl/core';
import { train } from '../src';
import { dataset, newModel, testPlugins, testRecipe, tokenizer } from './task';

describe('train onStep', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tirl-onstep-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is awaited before the next step, and returning "stop" ends the run after that step', async () => {
    const model = newModel();
    const recipe = resolveRecipe(testRecipe, ['steps=5'], { recipes: [] });
    const events: string[] = [];
    const result = await train({
      recipe,
      model,
      tokenizer,
      dataset,
      runDir: dir,
      plugins: testPlugins,
      progress: false,
      onStep: async (step) => {
        events.push(`start ${step}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push(`end ${step}`);
        return step === 2 ? 'stop' : undefined;
      },
    });
    // Steps 1 and 2 ran, each callback finished before the next step; step 3 never started.
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    expect(result.steps).toBe(2);
    expect(result.history).toHaveLength(2);
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    model.dispose();
  }, 300000);
});
