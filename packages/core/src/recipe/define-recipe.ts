import { TirlError } from '../errors';
import type { Paper } from '../plugin/define-plugin';

/** `[pluginId, options]`; options may be omitted for all defaults. */
export type PluginEntry = readonly [id: string, options?: Record<string, unknown>];

/** A published method as data: a named list of plugins with options, and run settings. */
export interface Recipe {
  readonly name: string;
  /** A parent recipe (by name or value) whose plugins and settings come first. */
  readonly extends?: string | Recipe;
  readonly paper?: Paper;
  readonly description?: string;
  readonly plugins: readonly PluginEntry[];
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Third-party packages to load for the ids this recipe names. */
  readonly packages?: readonly string[];
}

const NAME = /^[a-z0-9][a-z0-9.-]*$/;

export function defineRecipe(recipe: Recipe): Recipe {
  if (!NAME.test(recipe.name)) {
    throw new TirlError(`defineRecipe: name "${recipe.name}" must be lower-case letters, digits, "-" or "."`, 'invalid-recipe');
  }
  recipe.plugins.forEach((entry, i) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
      throw new TirlError(`recipe "${recipe.name}": plugins[${i}] must be [id, options]`, 'invalid-recipe');
    }
  });
  return Object.freeze(recipe);
}
