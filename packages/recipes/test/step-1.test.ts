import { stepCases } from './steps';
import { trainOneStep, useWasmBackend } from './task';

beforeAll(useWasmBackend);

const cases = stepCases.filter((c) => c.part === 1);

describe('one training step on a tiny model (part 2 of 2)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    if (c.cannotTrain) {
      await expect(trainOneStep(c.name, c.extra, c.tool)).rejects.toThrow(c.cannotTrain);
      return;
    }
    const { loss, changed } = await trainOneStep(c.name, c.extra, c.tool);
    expect(Number.isFinite(loss)).toBe(true);
    expect(changed).toBe(true);
  });
});
