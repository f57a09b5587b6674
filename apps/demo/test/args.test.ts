import { parseDemoArgs } from '../src/args';
import { makeTask } from '../src/tasks';

describe('demo arguments', () => {
  it('applies task defaults under --quick and explicit flags', () => {
    expect(parseDemoArgs([])).toMatchObject({ task: 'search', recipe: 'grpo', sftSteps: 2500, steps: 100 });
    expect(parseDemoArgs(['--task', 'matpo'])).toMatchObject({ task: 'matpo', sftSteps: 4000, steps: 60 });
    expect(parseDemoArgs(['--task', 'arithmetic'])).toMatchObject({ task: 'arithmetic', sftSteps: 800, steps: 100 });
    expect(parseDemoArgs(['--task', 'multihop-matpo'])).toMatchObject({ recipe: 'matpo' });
    expect(parseDemoArgs(['--task', 'matpo', '--quick'])).toMatchObject({ sftSteps: 40, steps: 6 });
    expect(parseDemoArgs(['--task', 'matpo', '--quick', '--sft-steps', '7', '--recipe', 'dapo'])).toMatchObject({ sftSteps: 7, recipe: 'dapo' });
    expect(parseDemoArgs(['--help'])).toBeUndefined();
  });

  it('names the flag of a bad number', () => {
    expect(() => parseDemoArgs(['--steps=-3'])).toThrow(/--steps must be a non-negative integer, got "-3"/);
    expect(() => parseDemoArgs(['--seed', 'x'])).toThrow(/--seed/);
    expect(() => parseDemoArgs(['--task', 'arithmetic', '--needless-calls', '1.5'])).toThrow(/--needless-calls must be a number in \[0, 1\], got "1.5"/);
    expect(() => parseDemoArgs(['--task', 'arithmetic', '--needless-calls', ''])).toThrow(/--needless-calls/);
  });

  it('passes --needless-calls to the arithmetic task only', () => {
    expect(parseDemoArgs(['--task', 'arithmetic', '--needless-calls', '0.5'])).toMatchObject({ needlessCallShare: 0.5 });
    expect(parseDemoArgs(['--task', 'arithmetic'])!.needlessCallShare).toBeUndefined();
    // The MATPO comparison builds its tasks itself: the flag is refused there, not ignored.
    expect(() => parseDemoArgs(['--task', 'matpo', '--needless-calls', '0.5'])).toThrow(/--needless-calls applies to --task arithmetic only, not "matpo"/);
    expect(() => makeTask('search', 1, 40, 4, { needlessCallShare: 0.5 })).toThrow(/--needless-calls applies to --task arithmetic only, not "search"/);
  });
});
