import { composeRun, RunCatalog } from '@tirl/core';
import { methods, recipes, scales, tasks } from '../src';
import { trainOneStep, useWasmBackend } from './task';

const catalog = new RunCatalog({ methods, recipes, tasks, scales });
const ids = (run: ReturnType<typeof composeRun>) => run.plugins.map((p) => p.id);

beforeAll(useWasmBackend);

describe('tool-star self-critic stage (switch selfCritic)', () => {
  it('is off by default, also for the methods built on tool-star', () => {
    for (const name of ['tool-star', 'arpo', 'portool']) {
      const run = composeRun(name, { catalog });
      expect(ids(run).filter((id) => /^(preference|pairs|referenceSchedule)\//.test(id))).toEqual([]);
    }
  });

  it('stage: DPO (β 0.1, sigmoid) on self-critic pairs every step, the reference reset at each phase start, the Tool-Star reward kept', () => {
    const run = composeRun({ recipe: 'tool-star', switches: { selfCritic: 'stage' } }, { catalog });
    const optionsOf = (id: string) => run.plugins.find((p) => p.id === id)!.options;
    expect(ids(run)).toEqual(expect.arrayContaining(['reward/tool-star', 'preference/dpo', 'pairs/self-critic', 'referenceSchedule/phase-start']));
    expect(optionsOf('preference/dpo')).toMatchObject({ beta: 0.1, variant: 'sigmoid' });
    expect(optionsOf('pairs/self-critic')).toMatchObject({ policyGradientSteps: 0, preferenceSteps: 1 });
  });

  it('alternate: 10 GRPO steps, then a DPO step', () => {
    const run = composeRun({ recipe: 'tool-star', switches: { selfCritic: 'alternate' } }, { catalog });
    expect(run.plugins.find((p) => p.id === 'pairs/self-critic')!.options).toMatchObject({ policyGradientSteps: 10, preferenceSteps: 1 });
    expect(ids(run)).toEqual(expect.arrayContaining(['advantage/grpo', 'objective/ppo-clip']));
  });

  it('trains one DPO step of the stage on pairs of its own scored rollouts', async () => {
    const { loss, changed, history } = await trainOneStep('tool-star', ['method.selfCritic=stage'], true);
    expect(history[0]['pairs/count']).toBeGreaterThan(0);
    expect(history[0]['preference/dpo/accuracy']).toBeDefined();
    expect(Number.isFinite(loss)).toBe(true);
    expect(changed).toBe(true);
  });

  it('alternates: with one GRPO step per phase, step 0 is a GRPO step and step 1 a DPO step', async () => {
    const { history } = await trainOneStep('tool-star', ['method.selfCritic=alternate', 'pairs/self-critic.policyGradientSteps=1', 'steps=2'], true);
    expect(history).toHaveLength(2);
    expect([history[0]['advantage/grpo/rows'] > 0, history[0]['pairs/count']]).toEqual([true, undefined]);
    // Step 1 samples, scores and mines pairs (the tiny model's step-1 rollouts may all tie: then it trains no pair).
    expect([history[1]['advantage/grpo/rows'], typeof history[1]['pairs/count'], typeof history[1]['pairs/self-critic/skipped_ties']]).toEqual([undefined, 'number', 'number']);
    expect(history[1]['referenceSchedule/phase-start/phases']).toBe(1);
    expect(Number.isFinite(history[0]['loss/total'])).toBe(true);
  });
});
