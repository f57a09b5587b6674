import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { z } from 'zod';
import { TirlError } from '../errors';
import type { OptionalInput, PluginKind, PluginKinds } from '../kinds';
import { isKnownKind } from '../kinds';
import type { Rng } from '../random/rng';

/** Where a method comes from. */
export interface Paper {
  title: string;
  /** arXiv id, e.g. `2402.03300`. */
  arxiv?: string;
  url?: string;
  /** Section or equation the plugin implements. */
  section?: string;
}

/** What a plugin's factory receives besides its options. */
export interface PluginContext {
  /** `kind/name` of the plugin being created. */
  id: string;
  /** The experiment's child container. */
  container: DependencyContainer;
  /** A random stream of this plugin's own (forked from the experiment seed by id). */
  rng: Rng;
  /** The recipe's resolved settings. */
  settings: Readonly<Record<string, unknown>>;
  /** What the definition's `inject` asked for, resolved from the experiment's container, by the same keys. */
  services: Readonly<Record<string, unknown>>;
  resolve<T>(token: InjectionToken<T>): T;
}

export interface PluginDefinition<K extends PluginKind = PluginKind, S extends z.ZodType = z.ZodType> {
  readonly kind: K;
  readonly name: string;
  /** `kind/name`. */
  readonly id: string;
  readonly summary: string;
  readonly paper?: Paper;
  /** Zod schema of the options: defaults for every optional field, `.strict()`. */
  readonly options: S;
  /** Inputs the trainer must compute for this plugin. */
  readonly requires?: readonly OptionalInput[];
  /**
   * Services and other plugins the factory needs, by token (`{ tokenizer: Tokens.tokenizer, judge:
   * pluginToken('reward/matpo') }`): the experiment's container resolves them into `ctx.services` before
   * `create` runs, creating a needed plugin first, and fails naming the token when nothing provides one.
   */
  readonly inject?: Readonly<Record<string, InjectionToken<unknown>>>;
  create(options: Readonly<z.output<S>>, ctx: PluginContext): PluginKinds[K];
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Declares a plugin. Pure data: importing it registers nothing. */
export function definePlugin<K extends PluginKind, S extends z.ZodType>(
  def: Omit<PluginDefinition<K, S>, 'id'>,
): PluginDefinition<K, S> {
  if (!isKnownKind(def.kind)) throw new TirlError(`definePlugin: unknown kind "${def.kind}"`, 'invalid-data');
  if (!NAME.test(def.name)) {
    throw new TirlError(`definePlugin: name "${def.name}" must be kebab-case (e.g. "ppo-clip")`, 'invalid-data');
  }
  if (!def.summary?.trim()) throw new TirlError(`definePlugin: "${def.kind}/${def.name}" needs a summary`, 'invalid-data');
  return Object.freeze({ ...def, id: `${def.kind}/${def.name}` });
}

/** Any plugin definition, for lists. */
export type AnyPluginDefinition = PluginDefinition<PluginKind, z.ZodType>;

/** Splits `kind/name`; throws on a malformed id. */
export function parsePluginId(id: string): { kind: string; name: string } {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1 || id.indexOf('/', slash + 1) !== -1) {
    throw new TirlError(`Plugin id "${id}" must look like "kind/name" (e.g. "advantage/grpo")`, 'unknown-plugin');
  }
  return { kind: id.slice(0, slash), name: id.slice(slash + 1) };
}
