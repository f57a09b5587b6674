import * as tf from '@tensorflow/tfjs-core';

/** Nested numbers as plain arrays (tensors are read synchronously). */
export function toPlain(value: unknown): unknown {
  if (value instanceof tf.Tensor) return value.arraySync();
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}

/** Differences larger than `tol` between nested numbers, as `path: actual vs expected` lines. */
export function numericDifferences(actual: unknown, expected: unknown, tol = 1e-6, path = '$'): string[] {
  const a = toPlain(actual);
  const e = toPlain(expected);
  if (typeof e === 'number') {
    if (typeof a !== 'number') return [`${path}: got ${JSON.stringify(a)}, expected ${e}`];
    if (Number.isNaN(e) ? !Number.isNaN(a) : !(Math.abs(a - e) <= tol || a === e)) return [`${path}: got ${a}, expected ${e} (tol ${tol})`];
    return [];
  }
  if (Array.isArray(e)) {
    if (!Array.isArray(a) || a.length !== e.length) return [`${path}: got ${JSON.stringify(a)?.slice(0, 80)}, expected length ${e.length}`];
    return e.flatMap((x, i) => numericDifferences(a[i], x, tol, `${path}[${i}]`));
  }
  if (e && typeof e === 'object') {
    if (!a || typeof a !== 'object') return [`${path}: got ${JSON.stringify(a)}, expected an object`];
    return Object.entries(e).flatMap(([k, v]) => numericDifferences((a as Record<string, unknown>)[k], v, tol, `${path}.${k}`));
  }
  return a === e ? [] : [`${path}: got ${JSON.stringify(a)}, expected ${JSON.stringify(e)}`];
}

/** Fails the test with every differing position. */
export function expectClose(actual: unknown, expected: unknown, tol = 1e-6): void {
  const diffs = numericDifferences(actual, expected, tol);
  if (diffs.length) throw new Error(`numbers differ:\n  ${diffs.slice(0, 20).join('\n  ')}`);
}
