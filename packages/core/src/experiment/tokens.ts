import type { InjectionToken } from 'tsyringe';
import type { PluginKind, PluginKinds, PolicyGenerator, Tokenizer } from '../kinds';
import type { Rng } from '../random/rng';

/** Injection token of a plugin kind: every plugin of that kind is registered under it. */
export function kindToken<K extends PluginKind>(kind: K): InjectionToken<PluginKinds[K]> {
  return Symbol.for(`tirl:kind:${kind}`);
}

/** Services an experiment (or its host) provides to plugins. */
export const Tokens = {
  /** The recipe's resolved settings. */
  settings: Symbol.for('tirl:settings') as InjectionToken<Readonly<Record<string, unknown>>>,
  /** The experiment's root random stream. */
  rng: Symbol.for('tirl:rng') as InjectionToken<Rng>,
  /** The policy's generating side, when the host registered one. */
  policy: Symbol.for('tirl:policy') as InjectionToken<PolicyGenerator>,
  tokenizer: Symbol.for('tirl:tokenizer') as InjectionToken<Tokenizer>,
  /** `(message) => void` for progress lines. */
  logger: Symbol.for('tirl:logger') as InjectionToken<Logger>,
  /** The options of the plugin being constructed (for `@inject(Tokens.options)` in plugin classes). */
  options: Symbol.for('tirl:options') as InjectionToken<Readonly<Record<string, unknown>>>,
} as const;

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
};
