/**
 * Document ids of one width (`d0005`, not `d5`): the tiny model copies the answer from a fixed distance after
 * the id, so ids of varying width would put held-out answers (the first entities) at other distances than the
 * training ones.
 */
export function docId(prefix: string, index: number, count: number): string {
  return `${prefix}${String(index).padStart(String(Math.max(count - 1, 0)).length, '0')}`;
}
