import { defineRecipe, resolveRecipe, TirlError } from '../src';
import { base, book, child } from './helpers';

describe('resolveRecipe', () => {
  it('applies parents first, merges options of the same id, deep-merges settings', () => {
    const resolved = resolveRecipe('child', undefined, { recipes: book });
    expect(resolved).toEqual({
      name: 'child',
      chain: ['base', 'child'],
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
    });
  });

  it('replaces the plugin of a single-valued kind in place and appends multi-valued kinds', () => {
    const r = resolveRecipe(
      defineRecipe({ name: 'swap', extends: 'base', plugins: [['advantage/rloo'], ['reward/format']] }),
      undefined,
      { recipes: book },
    );
    expect(r.plugins.map((p) => p.id)).toEqual([
      'advantage/rloo',
      'objective/ppo-clip',
      'aggregation/token-mean',
      'reward/exact-match',
      'reward/format',
    ]);
  });

  it('orders plugins by kind, then recipe order, and sorts keys, whatever the recipe order', () => {
    const shuffled = defineRecipe({
      name: 'shuffled',
      plugins: [['reward/format'], ['aggregation/token-mean'], ['advantage/grpo', { normalizeStd: true, epsilon: 1 }]],
      settings: { z: 1, a: { y: 2, b: 3 } },
    });
    const text = JSON.stringify(resolveRecipe(shuffled, undefined, { recipes: [] }));
    expect(text).toBe(
      '{"name":"shuffled","chain":["shuffled"],"papers":[],"plugins":[' +
        '{"id":"advantage/grpo","options":{"epsilon":1,"normalizeStd":true}},' +
        '{"id":"aggregation/token-mean","options":{}},{"id":"reward/format","options":{}}],' +
        '"settings":{"a":{"b":3,"y":2},"z":1},"packages":[]}',
    );
  });

  it('applies object overrides after the chain: plugins, settings and removals', () => {
    const r = resolveRecipe(
      'child',
      { plugins: [['objective/ppo-clip', { clipLow: 0.1 }]], settings: { groupSize: 8 }, remove: ['reward/format'] },
      { recipes: book },
    );
    expect(r.plugins.find((p) => p.id === 'objective/ppo-clip')!.options).toEqual({ clipHigh: 0.28, clipLow: 0.1 });
    expect(r.plugins.map((p) => p.id)).not.toContain('reward/format');
    expect(r.settings.groupSize).toBe(8);
  });

  it('types --set values: numbers, booleans, JSON, strings', () => {
    const r = resolveRecipe(
      'base',
      [
        'settings.groupSize=16',
        'optimizer.lr=3e-7',
        'debug=true',
        'optimizer.betas=[0.8,0.95]',
        'runName=my run',
        'objective/ppo-clip.clipHigh=0.3',
        'advantage=rloo',
      ],
      { recipes: book },
    );
    expect(r.settings).toEqual({
      debug: true,
      groupSize: 16,
      optimizer: { betas: [0.8, 0.95], lr: 3e-7 },
      runName: 'my run',
    });
    expect(r.plugins.find((p) => p.id === 'objective/ppo-clip')!.options).toEqual({ clipHigh: 0.3 });
    expect(r.plugins[0]).toEqual({ id: 'advantage/rloo', options: {} });
  });

  it('applies a list of overrides in order (config file, then --set)', () => {
    const r = resolveRecipe('base', [{ settings: { groupSize: 2 } }, ['groupSize=3']], { recipes: book });
    expect(r.settings.groupSize).toBe(3);
  });

  it('rejects bad overrides with messages naming the fix', () => {
    expect(() => resolveRecipe('base', ['groupSize'], { recipes: book })).toThrow('--set "groupSize": expected path=value');
    expect(() => resolveRecipe('base', ['objective/ppo-clp.clipHigh=1'], { recipes: book })).toThrow(
      '--set "objective/ppo-clp.clipHigh=1": plugin "objective/ppo-clp" is not in recipe "base". In the recipe: ' +
        'advantage/grpo, objective/ppo-clip, aggregation/token-mean, reward/exact-match. Did you mean "objective/ppo-clip"?',
    );
    expect(() => resolveRecipe('base', ['reward=format'], { recipes: book })).toThrow(/single-valued kind/);
  });

  it('names unknown recipes with the closest match, and detects cycles', () => {
    expect(() => resolveRecipe('chlid', undefined, { recipes: book })).toThrow(
      new TirlError('Unknown recipe "chlid". Known: base, child. Did you mean "child"?', 'invalid-recipe'),
    );
    const a = defineRecipe({ name: 'a', extends: 'b', plugins: [] });
    const b = defineRecipe({ name: 'b', extends: 'a', plugins: [] });
    expect(() => resolveRecipe('a', undefined, { recipes: [a, b] })).toThrow(/extends itself/);
  });

  it('returns plain JSON that survives a round trip unchanged', () => {
    const r = resolveRecipe('child', ['optimizer.lr=1e-5'], { recipes: book });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(r).toMatchSnapshot();
  });
});
