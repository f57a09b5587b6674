import { TirlError } from '../errors';
import { requireModule } from '../experiment/package-loader';
import { KINDS, isKnownKind } from '../kinds';
import type { Paper } from '../plugin/define-plugin';
import { parsePluginId } from '../plugin/define-plugin';
import { closestMatch } from '../plugin/did-you-mean';
import type { PluginEntry, Recipe } from './define-recipe';
import { deepMerge, isPlainObject, parseTypedValue, setPath, sortKeys } from './json';

/** A recipe after inheritance and overrides: plain JSON, printed at the start of a run and saved with it. */
export interface ResolvedRecipe {
  name: string;
  /** Recipe names from the farthest parent to this recipe. */
  chain: string[];
  papers: Paper[];
  plugins: { id: string; options: Record<string, unknown> }[];
  settings: Record<string, unknown>;
  packages: string[];
}

/**
 * User overrides, applied after the recipe chain: an object (e.g. from a config file), or
 * `--set` strings: `settings.path=value` (or just `path=value`), `kind=name` to choose the plugin of a
 * single-valued kind, `kind/name.option.path=value` to set a plugin option.
 */
export type RecipeOverrides =
  | {
      plugins?: readonly PluginEntry[];
      settings?: Record<string, unknown>;
      /** Plugin ids to drop. */
      remove?: readonly string[];
    }
  | readonly string[];

export interface ResolveOptions {
  /** Recipes to look names up in; defaults to the `recipes` list of `@tirl/recipes`. */
  recipes?: Iterable<Recipe>;
}

export function resolveRecipe(
  recipeOrName: string | Recipe,
  overrides?: RecipeOverrides | readonly RecipeOverrides[],
  options: ResolveOptions = {},
): ResolvedRecipe {
  const book = recipeBook(options.recipes);
  const chain = recipeChain(recipeOrName, book);
  const state: ResolvedRecipe = { name: chain[chain.length - 1].name, chain: [], papers: [], plugins: [], settings: {}, packages: [] };
  for (const recipe of chain) {
    state.chain.push(recipe.name);
    if (recipe.paper) state.papers.push(recipe.paper);
    for (const pkg of recipe.packages ?? []) if (!state.packages.includes(pkg)) state.packages.push(pkg);
    for (const entry of recipe.plugins) applyEntry(state, entry, `recipe "${recipe.name}"`);
    state.settings = deepMerge(state.settings, recipe.settings ?? {});
  }
  const overrideList = overrides === undefined ? [] : isOverrideList(overrides) ? overrides : [overrides];
  for (const o of overrideList) applyOverrides(state, o);
  return normalise(state);
}

function isOverrideList(o: RecipeOverrides | readonly RecipeOverrides[]): o is readonly RecipeOverrides[] {
  return Array.isArray(o) && o.some((x) => typeof x !== 'string');
}

function recipeBook(recipes: Iterable<Recipe> | undefined): Map<string, Recipe> {
  const list = recipes ?? loadBuiltInRecipes();
  return new Map([...list].map((r) => [r.name, r]));
}

function loadBuiltInRecipes(): Recipe[] {
  try {
    const mod = requireModule('@tirl/recipes') as { recipes?: Recipe[] };
    return mod.recipes ?? [];
  } catch {
    return [];
  }
}

function recipeChain(recipeOrName: string | Recipe, book: Map<string, Recipe>): Recipe[] {
  const chain: Recipe[] = [];
  let current: string | Recipe | undefined = recipeOrName;
  while (current !== undefined) {
    const recipe: Recipe = typeof current === 'string' ? lookup(current, book) : current;
    if (chain.some((r) => r.name === recipe.name)) {
      throw new TirlError(`recipe "${recipe.name}" extends itself (${chain.map((r) => r.name).join(' -> ')})`, 'invalid-recipe');
    }
    chain.unshift(recipe);
    current = recipe.extends;
  }
  return chain;
}

function lookup(name: string, book: Map<string, Recipe>): Recipe {
  const recipe = book.get(name);
  if (recipe) return recipe;
  const names = [...book.keys()].sort();
  const guess = closestMatch(name, names);
  throw new TirlError(
    [
      `Unknown recipe "${name}".`,
      names.length ? `Known: ${names.join(', ')}.` : 'No recipes are loaded: is @tirl/recipes installed?',
      guess ? `Did you mean "${guess}"?` : '',
    ]
      .filter(Boolean)
      .join(' '),
    'invalid-recipe',
  );
}

function applyEntry(state: ResolvedRecipe, [id, options]: PluginEntry, origin: string): void {
  const { kind } = parsePluginId(id);
  if (options !== undefined && !isPlainObject(options)) {
    throw new TirlError(`${origin}: options of "${id}" must be an object`, 'invalid-recipe');
  }
  const same = state.plugins.find((p) => p.id === id);
  if (same) {
    same.options = deepMerge(same.options, options ?? {});
    return;
  }
  const single = isKnownKind(kind) && KINDS[kind].cardinality === 'single';
  const existing = single ? state.plugins.findIndex((p) => parsePluginId(p.id).kind === kind) : -1;
  const entry = { id, options: { ...(options ?? {}) } };
  if (existing >= 0) state.plugins[existing] = entry;
  else state.plugins.push(entry);
}

function applyOverrides(state: ResolvedRecipe, overrides: RecipeOverrides): void {
  if (isStringList(overrides)) {
    for (const assignment of overrides) applySet(state, assignment);
    return;
  }
  for (const id of overrides.remove ?? []) {
    const before = state.plugins.length;
    state.plugins = state.plugins.filter((p) => p.id !== id);
    if (state.plugins.length === before) throw unknownInRecipe(state, id, 'remove');
  }
  for (const entry of overrides.plugins ?? []) applyEntry(state, entry, 'overrides');
  state.settings = deepMerge(state.settings, overrides.settings ?? {});
}

function isStringList(o: RecipeOverrides): o is readonly string[] {
  return Array.isArray(o);
}

/** One `--set path=value`. */
function applySet(state: ResolvedRecipe, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new TirlError(`--set "${assignment}": expected path=value`, 'invalid-override');
  const path = assignment.slice(0, eq).trim();
  const value = parseTypedValue(assignment.slice(eq + 1));
  if (path.includes('/')) {
    const dot = path.indexOf('.');
    if (dot < 0) throw new TirlError(`--set "${assignment}": expected kind/name.option=value`, 'invalid-override');
    const id = path.slice(0, dot);
    const plugin = state.plugins.find((p) => p.id === id);
    if (!plugin) throw unknownInRecipe(state, id, `--set "${assignment}"`);
    const options = structuredClone(plugin.options);
    setPath(options, path.slice(dot + 1).split('.'), value);
    plugin.options = options;
    return;
  }
  if (isKnownKind(path)) {
    if (KINDS[path].cardinality !== 'single' || typeof value !== 'string') {
      throw new TirlError(
        `--set "${assignment}": "${path}=name" chooses the plugin of a single-valued kind; ` +
          `add or remove ${path} plugins in a config file instead`,
        'invalid-override',
      );
    }
    applyEntry(state, [`${path}/${value}`, {}], `--set "${assignment}"`);
    return;
  }
  const settingsPath = path.startsWith('settings.') ? path.slice('settings.'.length) : path;
  setPath(state.settings, settingsPath.split('.'), value);
}

function unknownInRecipe(state: ResolvedRecipe, id: string, origin: string): TirlError {
  const ids = state.plugins.map((p) => p.id);
  const guess = closestMatch(id, ids);
  return new TirlError(
    `${origin}: plugin "${id}" is not in recipe "${state.name}". In the recipe: ${ids.join(', ')}.` +
      (guess ? ` Did you mean "${guess}"?` : ''),
    'invalid-override',
  );
}

/** Plugins in kind order (the kinds table), then in recipe order; keys sorted at every depth. */
function normalise(state: ResolvedRecipe): ResolvedRecipe {
  const kindOrder = Object.keys(KINDS);
  const rank = (id: string) => {
    const i = kindOrder.indexOf(parsePluginId(id).kind);
    return i < 0 ? kindOrder.length : i;
  };
  const plugins = state.plugins
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p.id) - rank(b.p.id) || a.i - b.i)
    .map(({ p }) => ({ id: p.id, options: sortKeys(p.options) }));
  return JSON.parse(JSON.stringify({ ...state, plugins, settings: sortKeys(state.settings) }));
}
