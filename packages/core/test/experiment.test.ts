import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { createExperiment, definePlugin, kindToken, packagesFromModules, PluginCatalog, resolveRecipe, TirlError, Tokens } from '../src';
import { allTestPlugins, book, exactMatch, grpo, ppoClip } from './helpers';

const resolve = (name: string, overrides?: Parameters<typeof resolveRecipe>[1]) =>
  resolveRecipe(name, overrides, { recipes: book });
const noPackages = packagesFromModules({});

describe('PluginCatalog', () => {
  it('throws on a duplicate id', () => {
    expect(() => new PluginCatalog([grpo, grpo])).toThrow(new TirlError('Plugin "advantage/grpo" is already registered', 'duplicate-plugin'));
  });

  it('names the known ids of the kind, the closest match and the package for an unknown id', () => {
    const catalog = new PluginCatalog(allTestPlugins);
    expect(() => catalog.get('advantage/grop')).toThrow(
      'Unknown advantage "grop". Known: grpo, rloo. Did you mean "grpo"?',
    );
    expect(catalog.list('objective').map((d) => d.id)).toEqual(['objective/gspo', 'objective/ppo-clip']);
  });
});

describe('createExperiment', () => {
  it('validates options, creates each plugin once and registers it under its kind token', async () => {
    const exp = createExperiment(resolve('child'), { plugins: allTestPlugins, packages: noPackages });
    const adv = exp.get('advantage') as unknown as { options: { epsilon: number; normalizeStd: boolean } };
    expect(adv.options).toEqual({ epsilon: 1e-4, normalizeStd: false });
    expect(Object.isFrozen(adv.options)).toBe(true);
    expect(exp.container.resolve(kindToken('advantage'))).toBe(adv);
    expect(exp.getAll('reward')).toHaveLength(2);
    expect(exp.container.resolveAll(kindToken('reward'))).toHaveLength(2);
    expect(exp.container.resolve(Tokens.settings)).toEqual(exp.recipe.settings);
    expect(exp.maybe('memory')).toBeUndefined();
    expect(() => exp.get('memory')).toThrow('Recipe "child" has no memory plugin.');
    await exp.dispose();
  });

  it('rejects a bad option value naming the plugin id and the field path', () => {
    expect(() =>
      createExperiment(resolve('base', ['objective/ppo-clip.clipLow=-0.1']), { plugins: allTestPlugins, packages: noPackages }),
    ).toThrow('Invalid options for plugin "objective/ppo-clip": clipLow: Too small: expected number to be >0');
  });

  it('rejects an unknown option key listing the allowed ones', () => {
    expect(() =>
      createExperiment(resolve('base', ['objective/ppo-clip.clip_high=0.3']), { plugins: allTestPlugins, packages: noPackages }),
    ).toThrow('Invalid options for plugin "objective/ppo-clip": clip_high: unknown option (allowed: clipLow, clipHigh)');
  });

  it('names the npm install to run when a package the recipe names is missing', () => {
    const recipe = resolveRecipe({ name: 'r', extends: 'base', packages: ['@tirl/advantage'], plugins: [] }, ['advantage=gae'], { recipes: book });
    expect(() => createExperiment(recipe, { plugins: [ppoClip], packages: noPackages })).toThrow(
      new TirlError('Plugin "advantage/gae" is not available: @tirl/advantage is not installed. Run: npm install @tirl/advantage', 'missing-package'),
    );
  });

  it('loads the package whose manifest lists an id, on demand, and reports unknown ids with the listed ones', () => {
    const loaded: string[] = [];
    const listed = packagesFromModules({
      '@tirl/advantage': { manifest: { plugins: ['advantage/grpo'] }, exports: { plugins: [grpo] } },
      'tirl-plugin-other': { manifest: { plugins: ['reward/other'] }, exports: {} },
    });
    const load = { list: listed.list, load: (pkg: Parameters<typeof listed.load>[0]) => (loaded.push(pkg.name), listed.load(pkg)) };
    const recipe = resolveRecipe(
      { name: 'r', plugins: [['advantage/grpo'], ['objective/ppo-clip']] },
      undefined,
      { recipes: [] },
    );
    const exp = createExperiment(recipe, { plugins: [ppoClip], packages: load });
    expect(loaded).toEqual(['@tirl/advantage']);
    expect(exp.plugins.map((p) => p.id)).toEqual(['advantage/grpo', 'objective/ppo-clip']);
    const bad = resolveRecipe({ name: 'r', plugins: [['advantage/grpp']] }, undefined, { recipes: [] });
    expect(() => createExperiment(bad, { packages: load })).toThrow('Unknown advantage "grpp". Known: grpo. Did you mean "grpo"?');
    expect(loaded).toEqual(['@tirl/advantage']);
  });

  it('refuses an aggregation that conflicts with the objective', () => {
    const recipe = resolve('base', ['objective=gspo']);
    expect(() => createExperiment(recipe, { plugins: allTestPlugins, packages: noPackages })).toThrow(
      'Plugin "objective/gspo" is defined with aggregation "seq-mean-token-mean", but the recipe chose "aggregation/token-mean".',
    );
  });

  it('collects declared requirements and round-trips plugin state', async () => {
    const needsValues = definePlugin({
      kind: 'advantage',
      name: 'needs-values',
      summary: 'test double that needs value estimates',
      options: z.object({}).strict(),
      requires: ['values'],
      create: () => ({ compute: () => ({ advantages: null as never }) }),
    });
    const recipe = resolveRecipe({ name: 'r', plugins: [['advantage/needs-values'], ['reward/exact-match']] }, undefined, { recipes: [] });
    const exp = createExperiment(recipe, { plugins: [needsValues, exactMatch], packages: noPackages });
    expect([...exp.requirements]).toEqual(['values']);
    (exp.get('reward') as unknown as { bump(): void }).bump();
    expect(exp.pluginState()).toEqual({ 'reward/exact-match': { calls: 1 } });
    exp.loadPluginState({ 'reward/exact-match': { calls: 7 } });
    expect(exp.pluginState()).toEqual({ 'reward/exact-match': { calls: 7 } });
    await exp.dispose();
  });

  it('disposes plugins and the tensors they hold', async () => {
    const holder = definePlugin({
      kind: 'advantage',
      name: 'holder',
      summary: 'test double that holds a tensor',
      options: z.object({}).strict(),
      create: () => {
        const kept = tf.zeros([4]);
        return { compute: () => ({ advantages: null as never }), dispose: () => kept.dispose() };
      },
    });
    const before = tf.memory().numTensors;
    const exp = createExperiment(resolveRecipe({ name: 'r', plugins: [['advantage/holder']] }, undefined, { recipes: [] }), {
      plugins: [holder],
      packages: noPackages,
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    await exp.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
