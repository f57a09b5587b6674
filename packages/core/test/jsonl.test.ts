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

  it('names the line and field of a bad record', () => {
    const good = trajectoriesToJsonl([makeTrajectory({ id: 'ok', segments: [['policy', 1]] })]);
    const bad = good.replace('"policy"', '"robot"');
    expect(() => trajectoriesFromJsonl(`${good}${bad}`)).toThrow(/^trajectory JSONL line 2: trajectory\.segments\.0\.source: Invalid option/);
    expect(() => trajectoriesFromJsonl('{"schema":"tirl.trajectory","version":2}')).toThrow(/line 1: version: Invalid input/);
    expect(() => trajectoriesFromJsonl('nope')).toThrow(/line 1: not JSON/);
  });
});
