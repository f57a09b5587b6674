import { TirlError } from '../errors';
import type { Paper } from '../plugin/define-plugin';

/** `[pluginId, options]`: adds the plugin, or merges its options when the id is already in the run. */
export type PluginEntry = readonly [id: string, options?: Record<string, unknown>];
/** Takes a plugin out of the run (an error when it is not there). */
export interface RemoveEntry {
  readonly remove: string;
}
/** Puts another plugin where `replace` was, keeping its place (an error when it is not there). */
export interface ReplaceEntry {
  readonly replace: string;
  readonly with: PluginEntry;
}
/** One step on the run's plugin list: add (or merge options), remove, or replace. */
export type EntryOp = PluginEntry | RemoveEntry | ReplaceEntry;

interface Part {
  readonly name: string;
  readonly description?: string;
  readonly paper?: Paper;
  readonly plugins?: readonly EntryOp[];
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Packages to load for the plugin ids this part names (third-party packages). */
  readonly packages?: readonly string[];
}

/**
 * What a paper contributes: its advantage, objective, aggregation, regularizers, filters and, where the
 * paper defines them, its sampler, rollout strategy, reward shaping or router, with the paper's
 * constants (cite the section of each in a comment). A method may extend a parent method.
 */
export interface Method extends Part {
  readonly extends?: string | Method;
  readonly plugins: readonly EntryOp[];
  /**
   * Named choices the method offers (e.g. `compat: 'paper' | 'released-code'`): each value's entries and
   * settings apply right after the method's own. Chosen with `--set method.<switch>=<value>` or
   * `RunSpec.switches`; the default value applies otherwise.
   */
  readonly switches?: Readonly<Record<string, MethodSwitch>>;
  /**
   * The method's own reward already judges correctness (OTC, MATPO, ToolRL, ...): the task's
   * `correctness` reward is then left out (listed in `removed`). The last method in the chain that sets it wins.
   */
  readonly scoresCorrectness?: boolean;
}

export interface MethodSwitch {
  readonly description?: string;
  readonly default: string;
  readonly values: Readonly<Record<string, SwitchValue>>;
}

export interface SwitchValue {
  readonly description?: string;
  readonly plugins?: readonly EntryOp[];
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** What the run is trained on: data, tools, tool format, correctness reward and memory (and turn limits). */
export interface Task extends Part {
  /** The correctness reward, added unless the method scores correctness itself. */
  readonly correctness?: PluginEntry;
  /** Options for plugins the method may bring (e.g. how a method's reward reads this task's answers); merged only when present. */
  readonly pluginOptions?: Readonly<Record<string, Record<string, unknown>>>;
  /** JSONL files of samples, when the task's data lives in files (a config file may give them instead). */
  readonly data?: { readonly train?: string; readonly eval?: string };
}

/**
 * How big the run is: steps, group size, prompts per step, mini-batches, lr schedule, decode limits.
 * `pluginOptions` carries constants that are really sizes (e.g. a length penalty's budget): they merge
 * into a plugin's options only when the method or task put that plugin in the run.
 */
export interface Scale {
  readonly name: string;
  readonly description?: string;
  readonly paper?: Paper;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly pluginOptions?: Readonly<Record<string, Record<string, unknown>>>;
}

/** A named run: a method on a task at a scale (e.g. the paper's own setup). Each part can be swapped when composing. */
export interface Recipe {
  readonly name: string;
  readonly description?: string;
  readonly method: string | Method;
  readonly task?: string | Task;
  readonly scale?: string | Scale;
}

const NAME = /^[a-z0-9][a-z0-9.-]*$/;

function checkName(what: string, name: unknown): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TirlError(`define${what}: name "${String(name)}" must be lower-case letters, digits, "-" or "."`, 'invalid-recipe');
  }
}

function checkEntries(what: string, name: string, entries: unknown): void {
  if (entries === undefined) return;
  if (!Array.isArray(entries)) throw new TirlError(`${what} "${name}": plugins must be a list of entries`, 'invalid-recipe');
  entries.forEach((entry, i) => {
    if (!isEntryOp(entry)) {
      throw new TirlError(
        `${what} "${name}": plugins[${i}] must be [id, options], { remove: id } or { replace: id, with: [id, options] }`,
        'invalid-recipe',
      );
    }
  });
}

function isEntry(e: unknown): e is PluginEntry {
  return Array.isArray(e) && typeof e[0] === 'string' && e.length <= 2 && (e[1] === undefined || isObject(e[1]));
}

export function isEntryOp(e: unknown): e is EntryOp {
  if (isEntry(e)) return true;
  if (!isObject(e)) return false;
  if ('remove' in e) return typeof e.remove === 'string' && Object.keys(e).length === 1;
  return typeof e.replace === 'string' && isEntry(e.with) && Object.keys(e).length === 2;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkSettings(what: string, name: string, settings: unknown): void {
  if (settings !== undefined && !isObject(settings)) throw new TirlError(`${what} "${name}": settings must be an object`, 'invalid-recipe');
}

export function defineMethod(method: Method): Method {
  checkName('Method', method.name);
  if (!Array.isArray(method.plugins)) throw new TirlError(`method "${method.name}": plugins must be a list of entries`, 'invalid-recipe');
  checkEntries('method', method.name, method.plugins);
  checkSettings('method', method.name, method.settings);
  for (const [key, sw] of Object.entries(method.switches ?? {})) {
    if (!isObject(sw) || !isObject(sw.values) || !(sw.default in sw.values)) {
      throw new TirlError(`method "${method.name}": switch "${key}" needs values and a default that is one of them`, 'invalid-recipe');
    }
    for (const [value, choice] of Object.entries(sw.values)) {
      checkEntries(`method "${method.name}" switch ${key}=${value}:`, method.name, choice.plugins);
      checkSettings(`method "${method.name}" switch ${key}=${value}:`, method.name, choice.settings);
    }
  }
  return Object.freeze(method);
}

export function defineTask(task: Task): Task {
  checkName('Task', task.name);
  checkEntries('task', task.name, task.plugins);
  if (task.correctness !== undefined) checkEntries('task', task.name, [task.correctness]);
  checkSettings('task', task.name, task.settings);
  return Object.freeze(task);
}

export function defineScale(scale: Scale): Scale {
  checkName('Scale', scale.name);
  if (!isObject(scale.settings)) throw new TirlError(`scale "${scale.name}": settings must be an object`, 'invalid-recipe');
  for (const [id, options] of Object.entries(scale.pluginOptions ?? {})) {
    if (!id.includes('/') || !isObject(options)) {
      throw new TirlError(`scale "${scale.name}": pluginOptions["${id}"] must map a plugin id to an options object`, 'invalid-recipe');
    }
  }
  return Object.freeze(scale);
}

export function defineRecipe(recipe: Recipe): Recipe {
  checkName('Recipe', recipe.name);
  if ('plugins' in (recipe as object)) {
    throw new TirlError(
      `defineRecipe "${recipe.name}": a recipe names a method, a task and a scale; a list of plugins is a method: use defineMethod`,
      'invalid-recipe',
    );
  }
  if (recipe.method === undefined) throw new TirlError(`recipe "${recipe.name}" needs a method`, 'invalid-recipe');
  return Object.freeze(recipe);
}
