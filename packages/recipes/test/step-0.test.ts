import { stepCases } from './steps';
import { trainOneStep } from './task';

const cases = stepCases.filter((_, i) => i % 3 === 0);

describe('one training step on a tiny model (part 1 of 3)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    if (c.cannotTrain) {
      await expect(trainOneStep(c.name, c.extra)).rejects.toThrow(c.cannotTrain);
      return;
    }
    const { loss, changed } = await trainOneStep(c.name, c.extra);
    expect(Number.isFinite(loss)).toBe(true);
    expect(changed).toBe(true);
  });
});
