import { composeRun } from '@tirl/core';
import { ByteTokenizer, createTinyModel, type CausalLM } from '@tirl/policy';
import { demoScale, demoTask } from '../src/compose';
import { demoPlugins } from '../src/plugins/compact-xml-tags';
import type { Summary } from '../src/report';
import { evaluationSteps } from '../src/rl/schedule';
import { trainWithEvaluation } from '../src/rl/train-with-eval';
import { makeTask } from '../src/tasks';
import { tempDirPerTest, tinyRun } from './tiny-run';

const weightsOf = (model: CausalLM) => new Map([...model.namedWeights()].map(([name, v]) => [name, Array.from(v.dataSync())]));

/** The test summary only carries the step it was taken at, so the reported one can be traced. */
const summaryAt = (step: number) => ({ accuracy: step / 100, accuracyStdErr: 0, greedyAccuracy: 0 }) as Summary;

describe('RL with evaluation every N steps and the kept checkpoint', () => {
  const tempDir = tempDirPerTest('tirl-demo-eval-');

  async function run(validationByStep: Record<number, number>, patience = 0) {
    const o = tinyRun(tempDir(), { steps: 4, evalEvery: 2 });
    const task = makeTask('search', 1, 8, 2);
    const tokenizer = new ByteTokenizer();
    const model = createTinyModel({ vocabSize: tokenizer.vocabSize, ...o.model }, 1);
    // GRPO plus an entropy bonus: the weights move at every step even while every reward is 0.
    const settings = { seed: 1, steps: o.steps, promptsPerStep: o.promptsPerStep, groupSize: o.groupSize, lr: 1e-2, partialCredit: 0.5 };
    const recipe = composeRun({
      method: 'grpo',
      task: demoTask(task, settings),
      scale: demoScale(task, settings),
      overrides: [{ from: 'test', plugins: [['regularizer/entropy', { coef: 1 }]] }],
    });
    const weights = new Map<number, Map<string, number[]>>();
    let step = 0;
    const result = await trainWithEvaluation({
      train: { recipe, model, tokenizer, dataset: task.train, runDir: o.out, plugins: demoPlugins, progress: false, overwrite: true },
      schedule: evaluationSteps(4, 2),
      // The step being evaluated: test runs first at each evaluation, so it reads the weights there.
      test: async () => {
        step = weights.size === 0 ? 0 : [...weights.keys()].at(-1)! + 2;
        weights.set(step, weightsOf(model));
        return summaryAt(step);
      },
      validation: async () => validationByStep[step],
      keepBest: true,
      rule: { minGain: 0.02, patience },
    });
    const final = weightsOf(model);
    model.dispose();
    return { result, weights, final };
  }

  it('evaluates at steps 0, 2 and 4 and puts the best validation checkpoint back into the model', async () => {
    const { result, weights, final } = await run({ 0: 0.1, 2: 0.6, 4: 0.3 });
    expect(result.points.map((p) => [p.step, p.validation, p.kept])).toEqual([
      [0, 0.1, true],
      [2, 0.6, true],
      [4, 0.3, false],
    ]);
    expect(result.rl.steps).toBe(4);
    expect(result.keptStep).toBe(2);
    expect(result.after.accuracy).toBe(0.02);
    // RL changed the weights between steps 2 and 4; the model ends with step 2's.
    expect(final).not.toEqual(weights.get(4));
    expect(final).toEqual(weights.get(2));
  }, 600000);

  it('keeps the SFT warm start when no checkpoint beats it by more than minGain, and stops early with patience', async () => {
    const { result, weights, final } = await run({ 0: 0.5, 2: 0.51, 4: 0.9 }, 1);
    // Step 2 gains only 0.01 ≤ 0.02: with patience 1 RL stops there and the warm start is reported.
    expect(result.points.map((p) => p.step)).toEqual([0, 2]);
    expect(result.stoppedEarly).toBe(true);
    expect(result.rl.steps).toBe(2);
    expect(result.keptStep).toBe(0);
    expect(result.after.accuracy).toBe(0);
    expect(final).toEqual(weights.get(0));
    expect(final).not.toEqual(weights.get(2));
  }, 600000);
});
