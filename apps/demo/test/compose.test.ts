import { DEFAULT_OPTIONS, QUICK_OPTIONS, buildRecipe, type DemoOptions } from '../src/demo';
import { makeTask } from '../src/tasks';

const o: DemoOptions = { ...DEFAULT_OPTIONS, ...QUICK_OPTIONS, verbose: false };
const task = makeTask('search', 1, 40, 8);

describe('the demo runs built-in methods on its tasks at its scale', () => {
  it('--recipe dapo is the published DAPO method: its constants from the method, sizes from the demo scale, rewards from the task', () => {
    const run = buildRecipe('dapo', task, o);
    expect([run.method, run.task, run.scale]).toEqual(['dapo', 'demo-search', 'demo']);
    expect(run.chain).toEqual(['base', 'dapo']);
    const options = (id: string) => run.plugins.find((p) => p.id === id)?.options;
    // DAPO §3.1 clip-higher and §3.2 dynamic sampling, unchanged.
    expect(options('objective/ppo-clip')).toEqual({ epsLow: 0.2, epsHigh: 0.28 });
    expect(options('filter/dynamic-sampling')).toEqual({ maxGenerations: 10 });
    expect(run.sources['objective/ppo-clip.epsHigh']).toBe('method:dapo');
    // The overlong window follows the demo's budget (2 turns × 32 tokens) at the paper's ratio 0.2.
    expect(options('reward/soft-overlong')).toEqual({ maxLength: 64, cache: 13 });
    expect(run.sources['reward/soft-overlong.maxLength']).toBe('scale:demo');
    // The demo task's correctness reward, not DAPO's math task.
    expect(run.plugins.map((p) => p.id)).toEqual(expect.arrayContaining(['reward/exact-match', 'reward/char-match', 'tool/search']));
    expect(run.plugins.map((p) => p.id)).not.toContain('reward/math-equivalence');
    expect(run.settings).toMatchObject({ groupSize: o.groupSize, promptsPerStep: o.promptsPerStep, steps: o.steps, optimizer: { lr: o.rlLr } });
    expect(run.sources['settings.groupSize']).toBe('scale:demo');
  });

  it('--recipe grpo is the published GRPO: per-sequence token mean and KL 0.04 to the reference', () => {
    const run = buildRecipe('grpo', task, o);
    expect(run.plugins.find((p) => p.id.startsWith('aggregation/'))!.id).toBe('aggregation/seq-mean-token-mean');
    expect(run.plugins.find((p) => p.id === 'regularizer/kl')!.options).toEqual({ coef: 0.04, estimator: 'k3' });
  });

  it('evaluation scores every method by the task rewards (exact match + partial credit)', () => {
    const matpoTask = makeTask('multihop-matpo', 1, 40, 8);
    const train = buildRecipe('matpo', matpoTask, o);
    expect(train.plugins.filter((p) => p.id.startsWith('reward/')).map((p) => p.id)).toEqual(['reward/matpo', 'reward/char-match']);
    expect(train.plugins.find((p) => p.id === 'reward/matpo')!.options).toEqual({ answerSource: 'answer-tag' });
    const evaluation = buildRecipe('matpo', matpoTask, o, 'evaluate');
    expect(evaluation.plugins.filter((p) => p.id.startsWith('reward/')).map((p) => p.id).sort()).toEqual(['reward/char-match', 'reward/exact-match']);
  });

  it('MATPO is the published method; --compat released-code selects its released-code switch', () => {
    const matpoTask = makeTask('multihop-matpo', 1, 40, 8);
    const paper = buildRecipe('matpo', matpoTask, o);
    expect(paper.switches).toEqual({ compat: 'paper' });
    expect(paper.plugins.find((p) => p.id.startsWith('aggregation/'))!.id).toBe('aggregation/root-normalised');
    const code = buildRecipe('matpo', matpoTask, { ...o, compat: 'released-code' });
    expect(code.switches).toEqual({ compat: 'released-code' });
    expect(code.plugins.find((p) => p.id.startsWith('aggregation/'))!.id).toBe('aggregation/token-mean');
    expect(code.plugins.find((p) => p.id === 'advantage/matpo')!.options).toMatchObject({ broadcast: 'parent-row', singleton: 'raw' });
    expect(code.plugins.find((p) => p.id === 'objective/ppo-clip')!.options).toMatchObject({ dualClipC: 3 });
    // The task's tool format lets the planner delegate several times in one turn.
    expect(code.plugins.find((p) => p.id.startsWith('toolFormat/'))!.options).toMatchObject({ stopAfterCall: false });
    // The single agent's method has no compat switch: the flag applies to MATPO only.
    expect(buildRecipe('grpo', task, { ...o, compat: 'released-code' }).switches).toEqual({});
  });

  it('names the methods there are when one is misspelt', () => {
    expect(() => buildRecipe('dapp', task, o)).toThrow(/Unknown method "dapp"\. Known: .*dapo.*Did you mean "dapo"\?/);
  });
});
