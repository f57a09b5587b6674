import type { Rng, RngState } from '@tirl/core';

/** Whether a value is a saved {@link Rng} state (four 32-bit words). */
export function isRngState(x: unknown): x is RngState {
  return Array.isArray(x) && x.length === 4 && x.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32);
}

export function restoreRng(rng: Rng, x: unknown): void {
  if (isRngState(x)) rng.setState(x);
}
