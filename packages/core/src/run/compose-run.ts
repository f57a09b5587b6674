import { TirlError } from '../errors';
import { KINDS } from '../kinds';
import type { Paper } from '../plugin/define-plugin';
import { parsePluginId } from '../plugin/define-plugin';
import { closestMatch } from '../plugin/did-you-mean';
import { deepMerge, isPlainObject, sortKeys } from '../recipe/json';
import { installedRunCatalog, RunCatalog } from './catalog';
import type { EntryOp, Method, Recipe, Scale, Task } from './define';
import { leafPaths } from './leaves';
import { applyEntryOp, removePlugin, type RunPlugin, type RunState } from './plugin-list';
import { applySet } from './set-override';

/**
 * User overrides, applied after the method, task and scale, in the order given: an object (a config
 * file; `from` names it in the provenance, default "config"), or a list of `--set` strings.
 */
export type RunOverrides =
  | {
      readonly from?: string;
      readonly plugins?: readonly EntryOp[];
      readonly settings?: Record<string, unknown>;
      /** Plugin ids to drop. */
      readonly remove?: readonly string[];
      /** Method switches to choose, e.g. `{ compat: 'released-code' }`. */
      readonly switches?: Readonly<Record<string, string>>;
      /** Packages the overrides' plugins come from (named in the install hint when one is missing). */
      readonly packages?: readonly string[];
    }
  | readonly string[];

/** What to compose: a recipe, and/or a method, task and scale (each replaces the recipe's part; `null` drops it). */
export interface RunSpec {
  readonly recipe?: string | Recipe;
  readonly method?: string | Method;
  readonly task?: string | Task | null;
  readonly scale?: string | Scale | null;
  readonly overrides?: readonly RunOverrides[];
  /** Method switches to choose (overrides may choose them too; the later choice wins). */
  readonly switches?: Readonly<Record<string, string>>;
}

export interface ComposeOptions {
  /** Where names are looked up; defaults to the methods, tasks, scales and recipes of installed packages. */
  readonly catalog?: RunCatalog;
}

/**
 * A composed run: plain JSON, printed at the start of a run, saved beside its checkpoints.
 * `sources` says where every value came from: `method:<name>`, `task:<name>`, `scale:<name>`, the config
 * (`config` or the file name) or `--set`, keyed by plugin id, `id.option.path` and `settings.path`.
 */
export interface ResolvedRun {
  name: string;
  method: string;
  task: string | null;
  scale: string | null;
  /** Method names from the farthest parent to the method. */
  chain: string[];
  papers: Paper[];
  plugins: RunPlugin[];
  settings: Record<string, unknown>;
  packages: string[];
  /** Task data files, when the task names them. */
  data?: { train?: string; eval?: string };
  /** The value of every switch the method chain offers. */
  switches: Record<string, string>;
  sources: Record<string, string>;
  /** Plugins a later part took out, and which part did. */
  removed: { id: string; by: string }[];
}

/**
 * Composes a run in one explicit order: the method (parents first), the task, the scale, then each
 * override (config file, then `--set`). Plugin entries add (the same id merges options; a single-valued
 * kind swaps its plugin), `{ remove }` and `{ replace, with }` take out or swap any plugin; settings merge
 * key by key (arrays are replaced).
 */
export function composeRun(spec: RunSpec | string, options: ComposeOptions = {}): ResolvedRun {
  const s: RunSpec = typeof spec === 'string' ? { recipe: spec } : spec;
  let catalog = options.catalog;
  const book = () => (catalog ??= installedRunCatalog());
  const recipe = typeof s.recipe === 'string' ? book().recipe(s.recipe) : s.recipe;
  const methodRef = s.method ?? recipe?.method;
  if (methodRef === undefined) throw new TirlError('composeRun: give a recipe or a method', 'invalid-recipe');
  const chain = methodChain(methodRef, book);
  const taskRef = s.task === undefined ? recipe?.task : s.task;
  const scaleRef = s.scale === undefined ? recipe?.scale : s.scale;
  const task = typeof taskRef === 'string' ? book().task(taskRef) : (taskRef ?? undefined);
  const scale = typeof scaleRef === 'string' ? book().scale(scaleRef) : (scaleRef ?? undefined);
  const method = chain[chain.length - 1];
  const sameAsRecipe = recipe && s.method === undefined && s.task === undefined && s.scale === undefined;

  const state: RunState = { name: sameAsRecipe ? recipe.name : method.name, plugins: [], settings: {}, sources: {}, removed: [] };
  const papers: Paper[] = [];
  const packages: string[] = [];
  const addPaper = (p: Paper | undefined) => {
    if (p && !papers.some((q) => q.title === p.title && q.arxiv === p.arxiv)) papers.push(p);
  };
  const addPart = (origin: string, part: { plugins?: readonly EntryOp[]; settings?: Readonly<Record<string, unknown>>; packages?: readonly string[] }) => {
    for (const pkg of part.packages ?? []) if (!packages.includes(pkg)) packages.push(pkg);
    for (const op of part.plugins ?? []) applyEntryOp(state, op, origin);
    mergeSettings(state, part.settings ?? {}, origin);
  };

  const switches = chooseSwitches(chain, s);
  for (const m of chain) {
    addPaper(m.paper);
    addPart(`method:${m.name}`, m);
    for (const [key, sw] of Object.entries(m.switches ?? {})) addPart(`method:${m.name}[${key}=${switches[key]}]`, sw.values[switches[key]]);
  }
  if (task) {
    addPaper(task.paper);
    if (task.correctness) {
      const judge = [...chain].reverse().find((m) => m.scoresCorrectness !== undefined);
      if (judge?.scoresCorrectness) state.removed.push({ id: task.correctness[0], by: `method:${judge.name} (scores correctness itself)` });
      else applyEntryOp(state, task.correctness, `task:${task.name}`);
    }
    addPart(`task:${task.name}`, task);
    mergePluginOptions(state, task.pluginOptions, `task:${task.name}`);
  }
  if (scale) {
    addPaper(scale.paper);
    mergeSettings(state, scale.settings, `scale:${scale.name}`);
    mergePluginOptions(state, scale.pluginOptions, `scale:${scale.name}`);
  }
  for (const o of s.overrides ?? []) {
    if (!Array.isArray(o)) for (const pkg of (o as { packages?: readonly string[] }).packages ?? []) if (!packages.includes(pkg)) packages.push(pkg);
    applyOverrides(state, o);
  }

  return finish(state, {
    method: method.name,
    task: task?.name ?? null,
    scale: scale?.name ?? null,
    chain: chain.map((m) => m.name),
    switches,
    papers,
    packages,
    data: task?.data,
  });
}

function methodChain(ref: string | Method, book: () => RunCatalog): Method[] {
  const chain: Method[] = [];
  let current: string | Method | undefined = ref;
  while (current !== undefined) {
    const method: Method = typeof current === 'string' ? book().method(current) : current;
    if (chain.some((m) => m.name === method.name)) {
      throw new TirlError(`method "${method.name}" extends itself (${[method, ...chain].map((m) => m.name).join(' -> ')})`, 'invalid-recipe');
    }
    chain.unshift(method);
    current = method.extends;
  }
  return chain;
}

/** Options for plugins that are in the run; ids that are not are skipped. */
function mergePluginOptions(state: RunState, options: Readonly<Record<string, Record<string, unknown>>> | undefined, origin: string): void {
  for (const [id, opts] of Object.entries(options ?? {})) {
    const plugin = state.plugins.find((p) => p.id === id);
    if (!plugin) continue;
    plugin.options = deepMerge(plugin.options, opts);
    for (const path of leafPaths(opts)) state.sources[`${id}.${path}`] = origin;
  }
}

/** Defaults of every switch in the chain, then the spec's choices, then those in overrides (in order). */
function chooseSwitches(chain: readonly Method[], spec: RunSpec): Record<string, string> {
  const offered = new Map<string, { method: string; values: string[] }>();
  const chosen: Record<string, string> = {};
  for (const m of chain) {
    for (const [key, sw] of Object.entries(m.switches ?? {})) {
      offered.set(key, { method: m.name, values: Object.keys(sw.values) });
      chosen[key] = sw.default;
    }
  }
  const choose = (key: string, value: string, origin: string) => {
    const sw = offered.get(key);
    if (!sw) {
      const guess = closestMatch(key, [...offered.keys()]);
      throw new TirlError(
        `${origin}: method "${chain[chain.length - 1].name}" has no switch "${key}".` +
          ` Switches: ${[...offered.keys()].join(', ') || 'none'}.${guess ? ` Did you mean "${guess}"?` : ''}`,
        'invalid-override',
      );
    }
    if (!sw.values.includes(value)) {
      throw new TirlError(`${origin}: switch "${key}" of method "${sw.method}" is one of ${sw.values.join(', ')}, not "${value}"`, 'invalid-override');
    }
    chosen[key] = value;
  };
  for (const [k, v] of Object.entries(spec.switches ?? {})) choose(k, v, 'switches');
  for (const o of spec.overrides ?? []) {
    if (!Array.isArray(o)) {
      for (const [k, v] of Object.entries((o as { switches?: Record<string, string> }).switches ?? {})) choose(k, v, (o as { from?: string }).from ?? 'config');
      continue;
    }
    for (const assignment of o as readonly string[]) {
      const m = /^method\.([^=]+)=(.*)$/.exec(assignment);
      if (m) choose(m[1].trim(), m[2].trim(), `--set "${assignment}"`);
    }
  }
  return chosen;
}

function mergeSettings(state: RunState, settings: Readonly<Record<string, unknown>>, origin: string): void {
  if (!isPlainObject(settings)) throw new TirlError(`${origin}: settings must be an object`, 'invalid-recipe');
  state.settings = deepMerge(state.settings, settings);
  for (const path of leafPaths(settings)) state.sources[`settings.${path}`] = origin;
}

function applyOverrides(state: RunState, overrides: RunOverrides): void {
  if (Array.isArray(overrides)) {
    for (const assignment of overrides as readonly string[]) applySet(state, assignment);
    return;
  }
  const o = overrides as Exclude<RunOverrides, readonly string[]>;
  const origin = o.from ?? 'config';
  for (const id of o.remove ?? []) removePlugin(state, id, origin);
  for (const op of o.plugins ?? []) applyEntryOp(state, op, origin);
  mergeSettings(state, o.settings ?? {}, origin);
}

/** Plugins in kind order (the kinds table), then in the order they were added; keys sorted; stale sources dropped. */
function finish(state: RunState, parts: Omit<ResolvedRun, 'name' | 'plugins' | 'settings' | 'sources' | 'removed'>): ResolvedRun {
  const kindOrder = Object.keys(KINDS);
  const rank = (id: string) => {
    const i = kindOrder.indexOf(parsePluginId(id).kind);
    return i < 0 ? kindOrder.length : i;
  };
  const plugins = state.plugins
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p.id) - rank(b.p.id) || a.i - b.i)
    .map(({ p }) => ({ id: p.id, options: sortKeys(p.options) }));
  const live = new Set([
    ...plugins.flatMap((p) => [p.id, ...leafPaths(p.options).map((path) => `${p.id}.${path}`)]),
    ...leafPaths(state.settings).map((path) => `settings.${path}`),
  ]);
  const sources = Object.fromEntries(
    Object.entries(state.sources)
      .filter(([key]) => live.has(key))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const run: ResolvedRun = {
    name: state.name,
    method: parts.method,
    task: parts.task,
    scale: parts.scale,
    chain: parts.chain,
    switches: parts.switches,
    papers: parts.papers,
    plugins,
    settings: sortKeys(state.settings),
    packages: parts.packages,
    ...(parts.data ? { data: { ...parts.data } } : {}),
    sources,
    removed: state.removed,
  };
  return JSON.parse(JSON.stringify(run)) as ResolvedRun;
}
