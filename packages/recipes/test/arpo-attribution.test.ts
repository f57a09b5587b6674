import { composeRun } from '@tirl/core';
import { trainOneStep, useWasmBackend } from './task';

beforeAll(useWasmBackend);

describe('arpo attribution switch', () => {
  it('soft (default) trains every branch copy; hard trains shared tokens once under arpo-hard', () => {
    const soft = composeRun('arpo');
    const hard = composeRun({ recipe: 'arpo', switches: { attribution: 'hard' } });
    const rollout = (run: typeof soft) => run.plugins.find((p) => p.id === 'rollout/arpo')!.options;
    expect(rollout(soft).countSharedOnce).toBe(false);
    expect(soft.plugins.some((p) => p.id === 'advantageTransform/arpo-hard')).toBe(false);
    expect(rollout(hard).countSharedOnce).toBe(true);
    expect(hard.plugins.some((p) => p.id === 'advantageTransform/arpo-hard')).toBe(true);
  });

  it('the hard form trains one step', async () => {
    const { loss, changed } = await trainOneStep('arpo', ['method.attribution=hard'], true);
    expect(Number.isFinite(loss)).toBe(true);
    expect(changed).toBe(true);
  });
});
