import { installedRunCatalog, RunCatalog } from '../run/catalog';
import { composeRun, type ResolvedRun, type RunOverrides } from '../run/compose-run';
import type { Method } from '../run/define';

/** @deprecated use `ResolvedRun` */
export type ResolvedRecipe = ResolvedRun;
/** @deprecated use `RunOverrides` */
export type RecipeOverrides = RunOverrides;

export interface ResolveOptions {
  /** Methods to look names up in (instead of the installed packages' methods and recipes). */
  recipes?: Iterable<Method>;
}

/**
 * Composes a run from a recipe name or a method, with overrides. Kept for scripts and tests that resolve
 * a plain list of plugins (`resolveRecipe({ name: 't', plugins: [...] })`); new code calls `composeRun`.
 */
export function resolveRecipe(
  recipeOrMethod: string | Method,
  overrides?: RunOverrides | readonly RunOverrides[],
  options: ResolveOptions = {},
): ResolvedRun {
  const list = overrides === undefined ? [] : isOverrideList(overrides) ? overrides : [overrides];
  if (options.recipes !== undefined) {
    return composeRun({ method: recipeOrMethod, overrides: list }, { catalog: new RunCatalog({ methods: options.recipes }) });
  }
  const catalog = installedRunCatalog();
  if (typeof recipeOrMethod === 'string' && catalog.hasRecipe(recipeOrMethod)) return composeRun({ recipe: recipeOrMethod, overrides: list }, { catalog });
  return composeRun({ method: recipeOrMethod, overrides: list }, { catalog });
}

function isOverrideList(o: RunOverrides | readonly RunOverrides[]): o is readonly RunOverrides[] {
  return Array.isArray(o) && o.some((x) => typeof x !== 'string');
}
