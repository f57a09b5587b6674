import { composeRun, defineMethod, defineRecipe, defineScale, defineTask, formatRun, resolveRecipe, RunCatalog, TirlError } from '../src';
import { base, book, child } from './helpers';

const catalog = new RunCatalog({ methods: book });

describe('composeRun: a method alone', () => {
  it('applies parents first, merges options of the same id, deep-merges settings, and says where each value came from', () => {
    const run = composeRun({ method: 'child' }, { catalog });
    expect(run).toEqual({
      name: 'child',
      method: 'child',
      task: null,
      scale: null,
      chain: ['base', 'child'],
      switches: {},
      papers: [base.paper, child.paper],
      packages: [],
      plugins: [
        { id: 'advantage/grpo', options: { epsilon: 1e-4, normalizeStd: false } },
        { id: 'objective/ppo-clip', options: { clipHigh: 0.28 } },
        { id: 'aggregation/token-mean', options: {} },
        { id: 'reward/exact-match', options: {} },
        { id: 'reward/format', options: {} },
      ],
      settings: { groupSize: 4, optimizer: { betas: [0.9, 0.999], lr: 2e-6 } },
      sources: {
        'advantage/grpo': 'method:base',
        'advantage/grpo.epsilon': 'method:base',
        'advantage/grpo.normalizeStd': 'method:child',
        'aggregation/token-mean': 'method:base',
        'objective/ppo-clip': 'method:base',
        'objective/ppo-clip.clipHigh': 'method:child',
        'reward/exact-match': 'method:base',
        'reward/format': 'method:child',
        'settings.groupSize': 'method:base',
        'settings.optimizer.betas': 'method:base',
        'settings.optimizer.lr': 'method:child',
      },
      removed: [],
    });
  });

  it('replaces the plugin of a single-valued kind in place and appends multi-valued kinds', () => {
    const swap = defineMethod({ name: 'swap', extends: 'base', plugins: [['advantage/rloo'], ['reward/format']] });
    const run = composeRun({ method: swap }, { catalog });
    expect(run.plugins.map((p) => p.id)).toEqual(['advantage/rloo', 'objective/ppo-clip', 'aggregation/token-mean', 'reward/exact-match', 'reward/format']);
    expect(run.sources['advantage/rloo']).toBe('method:swap');
    expect(run.sources['advantage/grpo.epsilon']).toBeUndefined();
  });

  it('orders plugins by kind, then the order they were added, and sorts keys, whatever the method order', () => {
    const shuffled = defineMethod({
      name: 'shuffled',
      plugins: [['reward/format'], ['aggregation/token-mean'], ['advantage/grpo', { normalizeStd: true, epsilon: 1 }]],
      settings: { z: 1, a: { y: 2, b: 3 } },
    });
    const run = composeRun({ method: shuffled }, { catalog });
    expect(JSON.stringify(run.plugins)).toBe(
      '[{"id":"advantage/grpo","options":{"epsilon":1,"normalizeStd":true}},' +
        '{"id":"aggregation/token-mean","options":{}},{"id":"reward/format","options":{}}]',
    );
    expect(JSON.stringify(run.settings)).toBe('{"a":{"b":3,"y":2},"z":1}');
  });

  it('names unknown methods with the closest match, and detects cycles', () => {
    expect(() => composeRun({ method: 'chlid' }, { catalog })).toThrow(
      new TirlError('Unknown method "chlid". Known: base, child. Did you mean "child"?', 'invalid-recipe'),
    );
    const a = defineMethod({ name: 'a', extends: 'b', plugins: [] });
    const b = defineMethod({ name: 'b', extends: 'a', plugins: [] });
    expect(() => composeRun({ method: 'a' }, { catalog: new RunCatalog({ methods: [a, b] }) })).toThrow(/extends itself/);
  });
});

describe('composeRun: method × task × scale', () => {
  const qa = defineTask({
    name: 'qa',
    description: 'Questions answered with a search tool',
    plugins: [['tool/search', { k: 3 }], ['toolFormat/xml-tags', { tags: ['search'] }], { replace: 'reward/exact-match', with: ['reward/f1'] }],
    settings: { limits: { maxTurns: 4 } },
    data: { train: 'qa.jsonl' },
  });
  const laptop = defineScale({
    name: 'laptop',
    settings: { groupSize: 2, optimizer: { lr: 1e-3 } },
    pluginOptions: { 'tool/search': { k: 1 }, 'reward/soft-overlong': { maxLength: 64 } },
  });
  const recipe = defineRecipe({ name: 'child-qa', method: 'child', task: 'qa', scale: 'laptop' });
  const parts = new RunCatalog({ methods: book, tasks: [qa], scales: [laptop], recipes: [recipe] });

  it('composes in one order: method (parents first), task, scale, config, --set; every value has its origin', () => {
    const run = composeRun(
      { recipe: 'child-qa', overrides: [{ from: 'config:exp.yaml', settings: { groupSize: 3 }, remove: ['reward/format'] }, ['optimizer.lr=0.5', 'tool/search.k=5']] },
      { catalog: parts },
    );
    expect(run.name).toBe('child-qa');
    expect([run.method, run.task, run.scale]).toEqual(['child', 'qa', 'laptop']);
    expect(run.plugins.map((p) => p.id)).toEqual(['advantage/grpo', 'objective/ppo-clip', 'aggregation/token-mean', 'reward/f1', 'toolFormat/xml-tags', 'tool/search']);
    expect(run.settings).toEqual({ groupSize: 3, limits: { maxTurns: 4 }, optimizer: { betas: [0.9, 0.999], lr: 0.5 } });
    expect(run.data).toEqual({ train: 'qa.jsonl' });
    expect(run.sources).toMatchObject({
      'reward/f1': 'task:qa',
      'tool/search': 'task:qa',
      'tool/search.k': '--set',
      'settings.groupSize': 'config:exp.yaml',
      'settings.optimizer.lr': '--set',
      'settings.optimizer.betas': 'method:base',
      'settings.limits.maxTurns': 'task:qa',
    });
    expect(run.removed).toEqual([{ id: 'reward/format', by: 'config:exp.yaml' }]);
    // the scale's options for a plugin nobody added are ignored, not added
    expect(run.plugins.some((p) => p.id === 'reward/soft-overlong')).toBe(false);
  });

  it('takes the scale options of a plugin that is in the run', () => {
    const run = composeRun({ recipe: 'child-qa' }, { catalog: parts });
    expect(run.plugins.find((p) => p.id === 'tool/search')!.options).toEqual({ k: 1 });
    expect(run.sources['tool/search.k']).toBe('scale:laptop');
  });

  it('swaps any part of a recipe, or drops it with null', () => {
    const other = defineScale({ name: 'paper', settings: { groupSize: 64 } });
    const run = composeRun({ recipe: 'child-qa', scale: other, task: null }, { catalog: parts });
    expect(run.name).toBe('child');
    expect([run.task, run.scale]).toEqual([null, 'paper']);
    expect(run.settings.groupSize).toBe(64);
    expect(run.plugins.map((p) => p.id)).toContain('reward/exact-match');
  });

  it('removes or replaces a plugin of a multi-valued kind, and says what a misspelt id should be', () => {
    const run = composeRun({ method: 'child', overrides: [{ plugins: [{ remove: 'reward/exact-match' }, { replace: 'reward/format', with: ['reward/brevity', { target: 3 }] }] }] }, { catalog });
    expect(run.plugins.filter((p) => p.id.startsWith('reward/'))).toEqual([{ id: 'reward/brevity', options: { target: 3 } }]);
    expect(run.sources['reward/brevity.target']).toBe('config');
    expect(() => composeRun({ method: 'child', overrides: [{ plugins: [{ remove: 'reward/exact-mach' }] }] }, { catalog })).toThrow(
      'config: cannot remove "reward/exact-mach": it is not in run "child". In the run: advantage/grpo, objective/ppo-clip, ' +
        'aggregation/token-mean, reward/exact-match, reward/format. Did you mean "reward/exact-match"?',
    );
  });

  it('rejects unknown task and scale names with the closest match', () => {
    expect(() => composeRun({ method: 'child', task: 'q' }, { catalog: parts })).toThrow('Unknown task "q". Known: qa. Did you mean "qa"?');
    expect(() => composeRun({ method: 'child', scale: 'latpop' }, { catalog: parts })).toThrow('Unknown scale "latpop". Known: laptop. Did you mean "laptop"?');
  });

  it('prints every value with its origin', () => {
    const text = formatRun(composeRun({ recipe: 'child-qa', overrides: [['groupSize=7']] }, { catalog: parts }));
    expect(text).toContain('run "child-qa": method base > child, task qa, scale laptop');
    expect(text).toMatch(/settings\.groupSize = 7 +--set/);
    expect(text).toMatch(/ {2}epsilon = 0\.0001 +method:base/);
  });

  it('rejects malformed parts when they are defined', () => {
    expect(() => defineMethod({ name: 'Bad', plugins: [] })).toThrow(/lower-case/);
    expect(() => defineTask({ name: 't', plugins: [['reward/x', 3 as never]] })).toThrow(/plugins\[0\] must be \[id, options\]/);
    expect(() => defineScale({ name: 's', settings: [] as never })).toThrow(/settings must be an object/);
    expect(() => defineRecipe({ name: 'r', plugins: [] } as never)).toThrow(/use defineMethod/);
  });
});

describe('method switches', () => {
  const m = defineMethod({
    name: 'switchy',
    plugins: [['objective/ppo-clip', { epsLow: 0.2 }], ['aggregation/token-mean']],
    switches: {
      compat: {
        default: 'paper',
        values: { paper: {}, 'released-code': { plugins: [['aggregation/seq-mean-token-mean'], ['objective/ppo-clip', { dualClipC: 3 }]] } },
      },
    },
  });
  const c = new RunCatalog({ methods: [m] });

  it('applies the default, or the value chosen by --set method.<switch>=..., right after the method', () => {
    expect(composeRun({ method: 'switchy' }, { catalog: c }).switches).toEqual({ compat: 'paper' });
    const run = composeRun({ method: 'switchy', overrides: [['method.compat=released-code', 'objective/ppo-clip.epsLow=0.1']] }, { catalog: c });
    expect(run.switches).toEqual({ compat: 'released-code' });
    expect(run.plugins).toEqual([
      { id: 'objective/ppo-clip', options: { dualClipC: 3, epsLow: 0.1 } },
      { id: 'aggregation/seq-mean-token-mean', options: {} },
    ]);
    expect(run.sources['objective/ppo-clip.dualClipC']).toBe('method:switchy[compat=released-code]');
  });

  it('names the switches and values there are', () => {
    expect(() => composeRun({ method: 'switchy', switches: { compta: 'paper' } }, { catalog: c })).toThrow(
      'switches: method "switchy" has no switch "compta". Switches: compat. Did you mean "compat"?',
    );
    expect(() => composeRun({ method: 'switchy', overrides: [['method.compat=code']] }, { catalog: c })).toThrow(
      'switch "compat" of method "switchy" is one of paper, released-code, not "code"',
    );
  });
});

describe('--set', () => {
  it('types values: numbers, booleans, JSON, strings; kind=name swaps; kind+= and kind-= add and remove', () => {
    const run = composeRun(
      {
        method: 'base',
        overrides: [
          [
            'settings.groupSize=16',
            'optimizer.lr=3e-7',
            'debug=true',
            'optimizer.betas=[0.8,0.95]',
            'runName=my run',
            'objective/ppo-clip.clipHigh=0.3',
            'advantage=rloo',
            'reward+=format',
            'reward-=exact-match',
          ],
        ],
      },
      { catalog },
    );
    expect(run.settings).toEqual({ debug: true, groupSize: 16, optimizer: { betas: [0.8, 0.95], lr: 3e-7 }, runName: 'my run' });
    expect(run.plugins).toEqual([
      { id: 'advantage/rloo', options: {} },
      { id: 'objective/ppo-clip', options: { clipHigh: 0.3 } },
      { id: 'aggregation/token-mean', options: {} },
      { id: 'reward/format', options: {} },
    ]);
    expect(run.removed).toEqual([{ id: 'reward/exact-match', by: '--set' }]);
  });

  it('rejects bad assignments with messages naming the fix', () => {
    const set = (a: string) => () => composeRun({ method: 'base', overrides: [[a]] }, { catalog });
    expect(set('groupSize')).toThrow('--set "groupSize": expected path=value');
    expect(set('objective/ppo-clp.clipHigh=1')).toThrow(
      '--set: cannot set options of "objective/ppo-clp": it is not in run "base". In the run: ' +
        'advantage/grpo, objective/ppo-clip, aggregation/token-mean, reward/exact-match. Did you mean "objective/ppo-clip"?',
    );
    expect(set('reward=format')).toThrow(/single-valued kind; use reward\+=name or reward-=name/);
    expect(set('colour+=red')).toThrow(/"colour" is not a plugin kind/);
  });

  it('returns plain JSON that survives a round trip unchanged', () => {
    const run = composeRun({ method: 'child', overrides: [['optimizer.lr=1e-5']] }, { catalog });
    expect(JSON.parse(JSON.stringify(run))).toEqual(run);
    expect(run).toMatchSnapshot();
  });
});

describe('resolveRecipe (kept for plain plugin lists)', () => {
  it('composes a method given inline or by name, with overrides', () => {
    const run = resolveRecipe('base', [{ settings: { groupSize: 2 } }, ['groupSize=3']], { recipes: book });
    expect(run.settings.groupSize).toBe(3);
    const inline = resolveRecipe({ name: 'm', plugins: [['advantage/grpo']] }, undefined, { recipes: [] });
    expect(inline.plugins).toEqual([{ id: 'advantage/grpo', options: {} }]);
  });
});

describe('RunCatalog', () => {
  it('loads lazy sources one at a time, only until a name is found', () => {
    const loaded: string[] = [];
    const catalog = new RunCatalog()
      .addLazy('first', () => (loaded.push('first'), { methods: [base] }))
      .addLazy('second', () => (loaded.push('second'), { methods: [child] }));
    expect(catalog.method('base')).toBe(base);
    expect(loaded).toEqual(['first']);
    expect(catalog.method('child')).toBe(child);
    expect(loaded).toEqual(['first', 'second']);
  });

  it('refuses two different parts of one kind with the same name', () => {
    expect(() => new RunCatalog({ methods: [base] }, { methods: [defineMethod({ name: 'base', plugins: [] })] })).toThrow(/Two methods are named "base"/);
  });
});
