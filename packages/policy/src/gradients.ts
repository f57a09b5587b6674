/** Gradient registration lives in core (the kits need it too); re-exported for existing imports. */
export { ensureGradients } from '@tirl/core';
