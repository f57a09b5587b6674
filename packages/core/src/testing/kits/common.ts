import { ensureGradients } from '../../tensor/gradients';
import type { AnyPluginDefinition, PluginContext } from '../../plugin/define-plugin';
import { parseOptions } from '../../plugin/options';
import { describePlugin, testPluginContext, type ContractOptions } from '../describe-plugin';

/**
 * The invariants a kit checks. A plugin that cannot meet one by design (e.g. an objective whose token
 * selection is batch-wide) lists it in `exempt` with the reason; the kit then leaves that check out.
 */
export type KitCheck =
  | 'shape'
  | 'masking'
  | 'micro-batch'
  | 'padding'
  | 'gradients'
  | 'leaks'
  | 'determinism'
  | 'mutation'
  | 'resume'
  | 'metric-keys'
  | 'bad-input';

/** What every kit accepts: the plugin contract (options, settings) plus exemptions. */
export interface KitOptions extends ContractOptions {
  /** Checks the plugin is exempt from, each with the reason it cannot hold. */
  exempt?: Partial<Record<KitCheck, string>>;
  /** Seed of the plugin context (default 0). */
  seed?: number;
  /** Extra numeric tolerance for the invariance checks (default 1e-5). */
  tol?: number;
}

/** Creates a plugin instance exactly as the experiment does: options parsed at the edge, a seeded context. */
export function instantiate<T>(
  def: AnyPluginDefinition,
  options: Record<string, unknown> = {},
  kit: Pick<KitOptions, 'settings' | 'create' | 'seed'> = {},
): T {
  const ctx: PluginContext = testPluginContext(def.id, kit.settings, kit.seed ?? 0);
  if (kit.create) return kit.create(ctx) as T;
  return def.create(parseOptions(def.id, def.options, options), ctx) as T;
}

/**
 * An instance made while the tests are being collected, to see which methods it has (state, reward
 * penalty). It uses the definition's own `create` with `valid`: a kit `create` may read values (a server
 * URL) that only exist once `beforeAll` has run.
 */
export function probe<T>(def: AnyPluginDefinition, options: Record<string, unknown>, kit: Pick<KitOptions, 'settings' | 'seed'>): T {
  return instantiate<T>(def, options, { settings: kit.settings, seed: kit.seed });
}

/** `it(...)` for a check unless the plugin is exempt from it. */
export function check(kit: KitOptions, name: KitCheck, title: string, fn: () => void | Promise<void>): void {
  if (kit.exempt?.[name] !== undefined) {
    if (!kit.exempt[name]!.trim()) throw new Error(`kit exemption "${name}" needs a reason`);
    return;
  }
  it(`${name}: ${title}`, async () => {
    await fn();
  });
}

/** The shared frame of every kit: the plugin contract, then the kind's invariants. */
export function describeKit(def: AnyPluginDefinition, kind: string, kit: KitOptions, body: () => void): void {
  if (def.kind !== kind) throw new Error(`run${kind[0].toUpperCase()}${kind.slice(1)}Kit: ${def.id} is a ${def.kind} plugin`);
  describePlugin(def, kit);
  describe(`${def.id} (${kind} kit)`, body);
}

/**
 * Metric keys follow `<kind>/<name>/<metric>`: the plugin's own id, then a snake_case metric
 * (`objective/ppo-clip/clip_fraction`, `advantage/grpo/zero_std_group_fraction`). See the core README.
 */
export const METRIC_KEY = /^[a-z][a-zA-Z]*\/[a-z][a-z0-9]*(-[a-z0-9]+)*\/[a-z][a-z0-9_]*(\/[a-z][a-z0-9_]*)*$/;

/** Fails unless every key is `<def.id>/<snake_case_metric>`. */
export function expectMetricKeys(def: AnyPluginDefinition, keys: readonly string[]): void {
  const bad = keys.filter((k) => !METRIC_KEY.test(k) || !k.startsWith(`${def.id}/`));
  if (bad.length) {
    throw new Error(`${def.id}: metric keys must look like "${def.id}/<snake_case_metric>"; got ${bad.map((k) => JSON.stringify(k)).join(', ')}`);
  }
}

/** Freezes a value deeply (typed arrays excepted) so a plugin that mutates its input throws. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    if (value instanceof Map) for (const v of value.values()) deepFreeze(v);
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** A deep copy of plain data (maps and typed arrays kept). */
export function clonePlain<T>(value: T): T {
  return structuredClone(value);
}

/** Registers tfjs's gradient functions (its CommonJS build ships none) before a gradient check. */
export function requireGradients(_label: string): void {
  ensureGradients();
}

/** Fails when any number is not finite, naming the first bad position. */
export function expectFinite(label: string, values: ArrayLike<number>, where?: (i: number) => boolean): void {
  for (let i = 0; i < values.length; i++) {
    if (where && !where(i)) continue;
    if (!Number.isFinite(values[i])) throw new Error(`${label}: value ${values[i]} at flat index ${i} is not finite`);
  }
}
