import { isPlainObject } from '../recipe/json';

/** Dot paths of every leaf (a non-object value, an array, or an empty object) of a plain object. */
export function leafPaths(value: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return isPlainObject(v) && Object.keys(v).length > 0 ? leafPaths(v, path) : [path];
  });
}
