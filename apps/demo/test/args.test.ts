import { parseDemoArgs } from '../src/args';
import { makeTask } from '../src/tasks';

describe('demo arguments', () => {
  it('applies task defaults under --quick and explicit flags', () => {
    expect(parseDemoArgs([])).toMatchObject({ task: 'search', recipe: 'grpo', sftSteps: 2000, steps: 100 });
    expect(parseDemoArgs(['--task', 'matpo'])).toMatchObject({ task: 'matpo', sftSteps: 8000, steps: 60 });
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

  it('reads --seeds, --compare matpo, --compat and the evaluation flags', () => {
    expect(parseDemoArgs(['--seeds', '1,2,3,4,5'])).toMatchObject({ task: 'search', seeds: [1, 2, 3, 4, 5] });
    expect(parseDemoArgs(['--compare', 'matpo', '--seeds', '1,2,3'])).toMatchObject({ task: 'matpo', seeds: [1, 2, 3], sftSteps: 8000 });
    expect(parseDemoArgs(['--compare', 'matpo', '--compat', 'released-code'])).toMatchObject({ compat: 'released-code' });
    expect(parseDemoArgs(['--eval-every', '5', '--validation', '0', '--min-gain', '0.05', '--patience', '3'])).toMatchObject({ evalEvery: 5, validation: 0, minGain: 0.05, patience: 3 });
    expect(() => parseDemoArgs(['--compare', 'grpo'])).toThrow('--compare takes "matpo" (MATPO vs single agent), got "grpo"');
    expect(() => parseDemoArgs(['--compare', 'matpo', '--task', 'search'])).toThrow(/does not combine with --task search/);
    expect(() => parseDemoArgs(['--compat', 'verl'])).toThrow('--compat takes paper or released-code, got "verl"');
    expect(() => parseDemoArgs(['--seed', '1', '--seeds', '1,2'])).toThrow('give --seed or --seeds, not both');
    expect(() => parseDemoArgs(['--seeds', '1,1'])).toThrow(/lists a seed twice/);
    expect(() => parseDemoArgs(['--eval-every=-1'])).toThrow(/--eval-every must be a non-negative integer/);
  });

  it('passes --needless-calls to the arithmetic task only', () => {
    expect(parseDemoArgs(['--task', 'arithmetic', '--needless-calls', '0.5'])).toMatchObject({ needlessCallShare: 0.5 });
    expect(parseDemoArgs(['--task', 'arithmetic'])!.needlessCallShare).toBeUndefined();
    // The MATPO comparison builds its tasks itself: the flag is refused there, not ignored.
    expect(() => parseDemoArgs(['--task', 'matpo', '--needless-calls', '0.5'])).toThrow(/--needless-calls applies to --task arithmetic only, not "matpo"/);
    expect(() => makeTask('search', 1, 40, 4, { needlessCallShare: 0.5 })).toThrow(/--needless-calls applies to --task arithmetic only, not "search"/);
  });

  it('passes --teacher-guesses to the search task only', () => {
    expect(parseDemoArgs(['--teacher-guesses', '0'])).toMatchObject({ guessShare: 0 });
    expect(parseDemoArgs([])!.guessShare).toBeUndefined();
    expect(() => parseDemoArgs(['--teacher-guesses', '2'])).toThrow(/--teacher-guesses must be a number in \[0, 1\], got "2"/);
    expect(() => parseDemoArgs(['--task', 'arithmetic', '--teacher-guesses', '0.5'])).toThrow(/--teacher-guesses applies to --task search only, not "arithmetic"/);
  });
});
