import type { PolicyObjective } from '../../kinds/algorithm';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { describeKit } from './common';
import { perTokenChecks, type PerTokenKitOptions } from './per-token';

export type ObjectiveKitOptions = PerTokenKitOptions;

/**
 * The behavioural kit of kind `objective`. Call it at the top level of a test file:
 * `runObjectiveKit(ppoClip, { valid: { epsHigh: 0.28 }, invalid: [{ options: { epsLow: -1 }, field: 'epsLow' }] })`.
 */
export function runObjectiveKit(def: AnyPluginDefinition, kit: ObjectiveKitOptions = {}): void {
  describeKit(def, 'objective', kit, () => {
    perTokenChecks(def, kit, (instance, input) => (instance as PolicyObjective).perToken(input));
  });
}
