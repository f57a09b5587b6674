import { composeRun, RunCatalog } from '@tirl/core';
// eslint-disable-next-line @nx/enforce-module-boundaries -- MATPO's method lives in @tirl/orchestration; the recipe names it
import { methods as orchestrationMethods } from '@tirl/orchestration';
import { methods, recipes, scales, tasks } from '../src';
import before from './fixtures/resolved-v1.json';

/**
 * `fixtures/resolved-v1.json` holds every recipe as the single-list recipe API resolved it, written
 * before recipes became method × task × scale. Composing the same names must give the same plugins,
 * options, settings, papers and packages. One difference is allowed and checked: among plugins of one
 * multi-valued kind, the task's correctness reward now comes after the method's rewards (dapo, fapo,
 * aspo, toolpo), because the task is applied after the method. Rewards are summed, so the order changes
 * nothing but the order of metric keys.
 */
const catalog = new RunCatalog({ methods, recipes, tasks, scales }, { methods: orchestrationMethods });
const v1 = before as Record<string, { plugins: unknown; settings: unknown; papers: unknown; packages: unknown; chain: unknown }>;

type PluginList = { id: string; options: Record<string, unknown> }[];

/**
 * Deliberate method changes made after the split, applied to the v1 run before comparing. MATPO: several
 * calls per planner turn with results as chat-template messages, and the singleton group pinned.
 */
const changedSinceSplit: Record<string, Record<string, Record<string, unknown>>> = {
  matpo: {
    'advantage/matpo': { singleton: 'zero' },
    'toolFormat/hermes': { stopAfterCall: false, observations: 'messages', observationRole: 'tool' },
  },
};

/**
 * Methods redefined on purpose after the split; their snapshots below show the new runs. `toolpo`: DeepAgent's
 * memory folding and the paper's separate R_succ / R_action. `remax`: the greedy-baseline rollout it needs.
 * `arpo`: the paper's soft attribution by default (every branch trains its shared prefix), `attribution=hard` as a switch.
 * `hapo`: its paper cited by the exact title of the seed list; adaptive temperature sampling (`rollout/entropy-temperature`).
 * `d3s`: the token level and the paper's exact title. `xrpo`: in-context seeding and the exact title.
 * `otc-po`, `tapo`, `scaf-grpo`: their papers cited by the exact titles of the seed list (same arXiv ids).
 */
const redefinedSinceSplit = new Set(['toolpo', 'remax', 'arpo', 'hapo', 'd3s', 'xrpo', 'otc-po', 'tapo', 'scaf-grpo']);
/** Runs present before the split and not redefined since: they must compose as they did then. */
const unchanged = recipes.map((r) => r.name).filter((name) => name in v1 && !redefinedSinceSplit.has(name));

function withChanges(name: string, plugins: PluginList): PluginList {
  const changes = changedSinceSplit[name] ?? {};
  return plugins.map((p) => (changes[p.id] ? { ...p, options: { ...p.options, ...changes[p.id] } } : p));
}

describe('resolved recipes', () => {
  it.each(unchanged)('%s composes to the same run as before the split', (name) => {
    const run = composeRun(name, { catalog });
    const { settings, papers, packages } = v1[name];
    const plugins = withChanges(name, v1[name].plugins as PluginList);
    const byId = (list: unknown) => [...(list as { id: string }[])].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect({ plugins: byId(run.plugins), settings: run.settings, papers: run.papers }).toEqual({ plugins: byId(plugins), settings, papers });
    const kinds = (list: unknown) => (list as { id: string }[]).map((p) => p.id.split('/')[0]);
    expect(kinds(run.plugins)).toEqual(kinds(plugins));
    const reordered = run.plugins.some((p, i) => p.id !== plugins[i].id);
    expect(reordered).toBe(['dapo', 'fapo', 'aspo', 'toolpo'].includes(name));
    // Methods now also name the package of each plugin they use (for the install hint), on top of what they named before.
    expect(run.packages).toEqual(expect.arrayContaining(packages as string[]));
    expect(run.packages).toEqual(expect.arrayContaining(['@tirl/advantage', '@tirl/clipping', '@tirl/rollout-tree']));
  });

  it.each(recipes.map((r) => r.name))('%s resolves to the snapshotted JSON', (name) => {
    expect(composeRun(name, { catalog })).toMatchSnapshot();
  });

  it('every run resolved before the split is still a recipe', () => {
    expect(recipes.map((r) => r.name)).toEqual(expect.arrayContaining(Object.keys(v1).filter((n) => n !== 'base')));
  });

  it('every method but base cites its paper', () => {
    for (const method of [...methods, ...orchestrationMethods].filter((m) => m.name !== 'base')) {
      expect(method.paper).toEqual({ title: expect.any(String), arxiv: expect.stringMatching(/^\d{4}\.\d{4,5}$/), section: expect.any(String) });
    }
  });

  it('names are unique', () => {
    for (const list of [methods, recipes]) expect(new Set(list.map((r) => r.name)).size).toBe(list.length);
  });
});
