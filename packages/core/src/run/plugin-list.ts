import { TirlError } from '../errors';
import { KINDS, isKnownKind } from '../kinds';
import { parsePluginId } from '../plugin/define-plugin';
import { closestMatch } from '../plugin/did-you-mean';
import { deepMerge, isPlainObject } from '../recipe/json';
import type { EntryOp, PluginEntry } from './define';
import { leafPaths } from './leaves';

export interface RunPlugin {
  id: string;
  options: Record<string, unknown>;
}

/** The run being composed: plugins, settings, and where each value came from. */
export interface RunState {
  name: string;
  plugins: RunPlugin[];
  settings: Record<string, unknown>;
  /** `id` → who added the plugin; `id.option.path` and `settings.path` → who set the value. */
  sources: Record<string, string>;
  removed: { id: string; by: string }[];
}

const isPluginEntry = (op: EntryOp): op is PluginEntry => Array.isArray(op);

const isSingle = (kind: string) => isKnownKind(kind) && KINDS[kind].cardinality === 'single';

/** Applies one entry: add / merge / (single kind) swap, remove, or replace in place. */
export function applyEntryOp(state: RunState, op: EntryOp, origin: string): void {
  if (isPluginEntry(op)) return addEntry(state, op, origin);
  if ('remove' in op) return removePlugin(state, op.remove, origin);
  const at = indexOf(state, op.replace, origin, 'replace');
  forget(state, op.replace);
  const [id, options] = op.with;
  parsePluginId(id);
  state.plugins[at] = { id, options: { ...(options ?? {}) } };
  remember(state, id, options ?? {}, origin);
}

function addEntry(state: RunState, [id, options]: PluginEntry, origin: string): void {
  const { kind } = parsePluginId(id);
  if (options !== undefined && !isPlainObject(options)) throw new TirlError(`${origin}: options of "${id}" must be an object`, 'invalid-recipe');
  const same = state.plugins.find((p) => p.id === id);
  if (same) {
    same.options = deepMerge(same.options, options ?? {});
    for (const path of leafPaths(options ?? {})) state.sources[`${id}.${path}`] = origin;
    return;
  }
  const entry = { id, options: { ...(options ?? {}) } };
  const existing = isSingle(kind) ? state.plugins.findIndex((p) => parsePluginId(p.id).kind === kind) : -1;
  if (existing >= 0) {
    forget(state, state.plugins[existing].id);
    state.plugins[existing] = entry;
  } else state.plugins.push(entry);
  remember(state, id, options ?? {}, origin);
}

export function removePlugin(state: RunState, id: string, origin: string): void {
  const at = indexOf(state, id, origin, 'remove');
  state.plugins.splice(at, 1);
  forget(state, id);
  state.removed.push({ id, by: origin });
}

/** Merges options into a plugin that must already be in the run. */
export function setPluginOptions(state: RunState, id: string, options: Record<string, unknown>, origin: string): void {
  const plugin = state.plugins[indexOf(state, id, origin, 'set options of')];
  plugin.options = deepMerge(plugin.options, options);
  for (const path of leafPaths(options)) state.sources[`${id}.${path}`] = origin;
}

function indexOf(state: RunState, id: string, origin: string, verb: string): number {
  const at = state.plugins.findIndex((p) => p.id === id);
  if (at >= 0) return at;
  const ids = state.plugins.map((p) => p.id);
  const guess = closestMatch(id, ids);
  throw new TirlError(
    `${origin}: cannot ${verb} "${id}": it is not in run "${state.name}". In the run: ${ids.join(', ') || 'no plugins'}.` +
      (guess ? ` Did you mean "${guess}"?` : ''),
    'invalid-override',
  );
}

function remember(state: RunState, id: string, options: Record<string, unknown>, origin: string): void {
  state.sources[id] = origin;
  for (const path of leafPaths(options)) state.sources[`${id}.${path}`] = origin;
}

function forget(state: RunState, id: string): void {
  for (const key of Object.keys(state.sources)) if (key === id || key.startsWith(`${id}.`)) delete state.sources[key];
}
