import fc from 'fast-check';
import { trajectoriesFromJsonl, trajectoriesToJsonl, type Trajectory } from '../src';
import { makeTrajectory } from '../src/testing';

describe('trajectory JSONL', () => {
  it('round-trips trajectories exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('prompt', 'policy', 'tool') as fc.Arbitrary<'prompt' | 'policy' | 'tool'>, fc.nat(5)), { maxLength: 6 }),
        fc.string(),
        // JSON has no negative zero: -0 is written as 0, which is the same reward.
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((r) => !Object.is(r, -0)),
        (segments, text, reward) => {
          const t: Trajectory = {
            ...makeTrajectory({ id: 'x', segments, reward }),
            toolCalls: [{ turn: 0, name: 'python', args: { code: text }, ok: false, error: 'timeout', observation: text, evidence: { iou: 0.5 } }],
            meta: { note: text },
          };
          expect(trajectoriesFromJsonl(trajectoriesToJsonl([t, t]))).toEqual([t, t]);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('keeps the images of prompt and tool segments, and names a broken one', () => {
    const image = { width: 1, height: 2, rgbBase64: Buffer.from([1, 2, 3, 4, 5, 6]).toString('base64') };
    const t: Trajectory = { ...makeTrajectory({ id: 'v', segments: [['prompt', 3], ['policy', 1], ['tool', 2]] }) };
    t.segments[0].images = [image];
    t.segments[2].images = [image, image];
    expect(trajectoriesFromJsonl(trajectoriesToJsonl([t]))).toEqual([t]);
    const broken = trajectoriesToJsonl([t]).replace('"height":2', '"height":3');
    expect(() => trajectoriesFromJsonl(broken)).toThrow(/line 1: trajectory\.segments\.0\.images\.0: image\.rgbBase64 decodes to 6 bytes; width·height·3 = 9/);
  });

  it('names the line and field of a bad record', () => {
    const good = trajectoriesToJsonl([makeTrajectory({ id: 'ok', segments: [['policy', 1]] })]);
    const bad = good.replace('"policy"', '"robot"');
    expect(() => trajectoriesFromJsonl(`${good}${bad}`)).toThrow(/^trajectory JSONL line 2: trajectory\.segments\.0\.source: Invalid option/);
    expect(() => trajectoriesFromJsonl('{"schema":"tirl.trajectory","version":2}')).toThrow(/line 1: version: Invalid input/);
    expect(() => trajectoriesFromJsonl('nope')).toThrow(/line 1: not JSON/);
  });
});
