import { ensureGradients } from '@tirl/core';

/** tfjs-core's CommonJS build registers no gradient functions; core's `ensureGradients` loads them. */
export function registerTfjsGradients(): void {
  ensureGradients();
}
