/**
 * Appends `items` to `target` in place. Unlike `target.push(...items)`, whose spread puts every item on
 * the call stack and throws RangeError past ~120k items, it works for any length.
 */
export function appendAll<T>(target: T[], items: ArrayLike<T>): T[] {
  for (let i = 0; i < items.length; i++) target.push(items[i]);
  return target;
}
