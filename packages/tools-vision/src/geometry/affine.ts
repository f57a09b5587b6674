import type { Box } from './boxes';

/** A 2-D affine map `(x, y) → (a·x + b·y + c, d·x + e·y + f)`, stored as `[a, b, c, d, e, f]`. */
export type Affine = readonly [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

export function apply(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** `outer ∘ inner`: first `inner`, then `outer`. */
export function compose(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [p, q, r, s, t, u] = inner;
  return [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f];
}

/** The axis-aligned box that a `width × height` image covers after mapping by `m`. */
export function mappedRegion(m: Affine, width: number, height: number): Box {
  const corners = [apply(m, 0, 0), apply(m, width, 0), apply(m, 0, height), apply(m, width, height)];
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].map(tidy) as unknown as Box;
}

/** Removes floating-point dust (1e-12) so regions print as the integers they are. */
function tidy(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-9 ? r : v;
}
