import { TirlError } from '../errors';
import { KINDS, isKnownKind } from '../kinds';
import { isPlainObject, parseTypedValue, setPath } from '../recipe/json';
import { leafPaths } from './leaves';
import { applyEntryOp, removePlugin, setPluginOptions, type RunState } from './plugin-list';

export const SET_ORIGIN = '--set';

/**
 * One `--set` assignment:
 * - `path=value` or `settings.path=value`: a run setting (values are JSON when they parse, else strings);
 * - `kind/name.option.path=value`: an option of a plugin in the run;
 * - `kind=name`: the plugin of a single-valued kind (advantage, objective, ...);
 * - `kind+=name` / `kind-=name`: add or remove a plugin of a multi-valued kind (reward, tool, filter, ...).
 */
export function applySet(state: RunState, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new TirlError(`--set "${assignment}": expected path=value`, 'invalid-override');
  const rawPath = assignment.slice(0, eq).trim();
  const raw = assignment.slice(eq + 1);
  const op = rawPath.endsWith('+') ? 'add' : rawPath.endsWith('-') ? 'remove' : undefined;
  const path = op ? rawPath.slice(0, -1) : rawPath;
  if (op) {
    if (!isKnownKind(path)) throw new TirlError(`--set "${assignment}": "${path}" is not a plugin kind; ${op === 'add' ? '+=' : '-='} adds or removes a plugin of a kind`, 'invalid-override');
    const id = `${path}/${raw.trim()}`;
    if (op === 'add') applyEntryOp(state, [id], SET_ORIGIN);
    else removePlugin(state, id, SET_ORIGIN);
    return;
  }
  if (path.startsWith('method.')) return; // a method switch: chosen before the method is applied
  const value = parseTypedValue(raw);
  if (path.includes('/')) {
    const dot = path.indexOf('.');
    if (dot < 0) throw new TirlError(`--set "${assignment}": expected kind/name.option=value`, 'invalid-override');
    const option: Record<string, unknown> = {};
    setPath(option, path.slice(dot + 1).split('.'), value);
    setPluginOptions(state, path.slice(0, dot), option, SET_ORIGIN);
    return;
  }
  if (isKnownKind(path)) {
    if (KINDS[path].cardinality !== 'single' || typeof value !== 'string') {
      throw new TirlError(
        `--set "${assignment}": "${path}=name" chooses the plugin of a single-valued kind; use ${path}+=name or ${path}-=name for ${path} plugins`,
        'invalid-override',
      );
    }
    applyEntryOp(state, [`${path}/${value}`], SET_ORIGIN);
    return;
  }
  const settingsPath = path.startsWith('settings.') ? path.slice('settings.'.length) : path;
  setPath(state.settings, settingsPath.split('.'), value);
  const leaves = isPlainObject(value) && Object.keys(value).length ? leafPaths(value, settingsPath) : [settingsPath];
  for (const leaf of leaves) state.sources[`settings.${leaf}`] = SET_ORIGIN;
}
